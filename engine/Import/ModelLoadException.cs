namespace GpuMobileNet.Import;

/// <summary>A model file that cannot be turned into a graph: missing, corrupt, truncated or using
/// something the importer does not support. The message is one line naming the file and the culprit,
/// so it can be shown to a user as is. Thread-safety: as any exception, immutable once thrown.</summary>
public sealed class ModelLoadException : InvalidInputException
{
    /// <summary>A model file refused, with the culprit (file, node, op) in <paramref name="message"/>.</summary>
    public ModelLoadException(string message) : base(message) { }
    /// <summary>A model file refused because of <paramref name="inner"/>.</summary>
    public ModelLoadException(string message, Exception inner) : base(message, inner) { }
}
