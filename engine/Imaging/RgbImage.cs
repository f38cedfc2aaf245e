namespace GpuMobileNet.Imaging;

/// <summary>A decoded 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B.
/// Thread-safety: safe to read from any number of threads; <see cref="Pixels"/> is the caller's array, not a copy: do
/// not write it while the image is in use.</summary>
public sealed class RgbImage
{
    /// <summary>An image of <paramref name="width"/> x <paramref name="height"/> packed RGB bytes (3 per pixel, rows top to bottom).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"image size {width}x{height} must be positive");
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"{width}x{height} RGB needs {width * height * 3} bytes, got {pixels.Length}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Packed RGB bytes, 3 per pixel, rows top to bottom.</summary>
    public byte[] Pixels { get; }
}
