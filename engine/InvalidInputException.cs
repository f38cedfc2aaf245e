namespace GpuMobileNet;

/// <summary>Input the caller supplied cannot be used: a model file, weights, an image, a labels file or a graph.
/// The message is one line naming the culprit (file, layer, op, shape) and can be shown to a user as is. Every
/// error the loaders and the graph builder raise for bad input derives from this, so a caller (or a fuzz test) can
/// tell bad input from a bug in the engine by type.</summary>
public abstract class InvalidInputException : Exception
{
    protected InvalidInputException(string message) : base(message) { }
    protected InvalidInputException(string message, Exception? inner) : base(message, inner) { }
}
