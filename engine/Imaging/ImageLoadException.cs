namespace GpuMobileNet.Imaging;

/// <summary>An image file that cannot be decoded: missing, not an image, or truncated.
/// The message is one line naming the file. Thread-safety: as any exception, immutable once thrown.</summary>
public sealed class ImageLoadException : InvalidInputException
{
    /// <summary>An image that could not be decoded, named in <paramref name="message"/>.</summary>
    public ImageLoadException(string message) : base(message) { }
    /// <summary>An image that could not be decoded because of <paramref name="inner"/>.</summary>
    public ImageLoadException(string message, Exception inner) : base(message, inner) { }
}
