namespace GpuMobileNet;

/// <summary>Input the caller supplied cannot be used: a model file, weights, an image, a labels file or a graph.
/// The message is one line naming the culprit (file, layer, op, shape) and can be shown to a user as is. Every
/// error the loaders and the graph builder raise for bad input derives from this, so a caller (or a fuzz test) can
/// tell bad input from a bug in the engine by type. Thread-safety: as any exception, immutable once thrown.</summary>
public abstract class InvalidInputException : Exception
{
    /// <summary>An input refused; <paramref name="message"/> is kept to one line.</summary>
    protected InvalidInputException(string message) : base(OneLine(message)) { }
    /// <summary>An input refused because of <paramref name="inner"/>; <paramref name="message"/> is kept to one line.</summary>
    protected InvalidInputException(string message, Exception? inner) : base(OneLine(message), inner) { }

    /// <summary>The longest message kept: names and values quoted from a hostile file are cut to fit.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>Messages quote names, values and bytes from the input, which may hold line breaks or control
    /// characters (a PNG chunk type, a layer name): those become '?', and a message is cut at
    /// <see cref="MaxMessageLength"/>, so it is always one printable line.</summary>
    public static string OneLine(string? message)
    {
        if (string.IsNullOrEmpty(message)) return "invalid input";
        var chars = message.Select(c => char.IsControl(c) ? '?' : c).ToArray();
        var line = new string(chars).Trim();
        return line.Length <= MaxMessageLength ? line : line[..(MaxMessageLength - 3)] + "...";
    }
}
