namespace GpuMobileNet.Imaging;

/// <summary>An image file that cannot be decoded: missing, not an image, or truncated.
/// The message is one line naming the file.</summary>
public sealed class ImageLoadException : InvalidInputException
{
    public ImageLoadException(string message) : base(message) { }
    public ImageLoadException(string message, Exception inner) : base(message, inner) { }
}
