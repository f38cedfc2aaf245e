namespace GpuMobileNet.IO;

/// <summary>A file given as input (labels, or any other the engine reads) is missing, not a regular file, or larger
/// than its format allows. The message is one line naming the file.</summary>
internal sealed class InputFileException : InvalidInputException
{
    /// <summary>A file refused, with the file and the reason in <paramref name="message"/>.</summary>
    public InputFileException(string message) : base(message) { }
    /// <summary>A file refused because of <paramref name="inner"/>.</summary>
    public InputFileException(string message, Exception? inner) : base(message, inner) { }
}
