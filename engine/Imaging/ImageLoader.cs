using GpuMobileNet.IO;
using StbImageSharp;

namespace GpuMobileNet.Imaging;

/// <summary>Decodes PNG, JPEG, BMP, GIF (first frame), TGA, PSD and HDR files to RGB with StbImageSharp, a JPEG turned
/// upright by its EXIF orientation (<see cref="ExifOrientation"/>).
/// Thread-safety: thread-safe; each call decodes into a new image.</summary>
public static class ImageLoader
{
    /// <summary>The most pixels an image may have (a 100-megapixel camera's): decoded as RGB bytes that is 300 MB.
    /// The dimensions are read from the header before anything is decoded, so a small file that claims a huge image
    /// (a 775 KB PNG of 16000x16000) fails at once instead of taking gigabytes.</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>The largest image file read: room for an uncompressed 100-megapixel BMP.</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;

    /// <exception cref="ImageLoadException">The file is missing, not a regular file, too large, not an image, or truncated.</exception>
    public static RgbImage Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(SafeFile.ReadAllBytes(path, MaxFileBytes, "image file", m => new ImageLoadException(m)), path);
    }

    /// <summary>Decodes an image held in memory (an upload); <paramref name="source"/> names it in errors. The same
    /// checks as for a file: complete container, at most <see cref="MaxPixels"/> from the header before decoding.</summary>
    /// <exception cref="ImageLoadException">The bytes are not an image, too large, or truncated.</exception>
    public static RgbImage Decode(byte[] bytes, string source)
    {
        string path = source;
        // stb_image decodes a cut-off JPEG (and some cut-off PNGs) without complaint, filling the
        // missing rows with grey or garbage: check the container is complete before decoding.
        if (TruncationCheck.Problem(bytes) is { } problem)
            throw new ImageLoadException($"{path}: image is truncated ({problem})");
        var (width, height) = Dimensions(path, bytes);
        if ((long)width * height > MaxPixels)
            throw new ImageLoadException(
                $"{path}: image is {width}x{height} ({(double)width * height / 1e6:0.#} megapixels), more than the {MaxPixels / 1_000_000} megapixels this loader decodes");
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) // stb reports bad data with a mix of exception types
        {
            throw new ImageLoadException($"{path}: not a supported image{Why(e)}", e);
        }
        if (result is null || result.Data is null || result.Width <= 0 || result.Height <= 0
            || result.Width != width || result.Height != height || result.Data.Length != (long)width * height * 3)
            throw new ImageLoadException($"{path}: not a supported image");
        // Shown upright as a photo viewer would (stb ignores a JPEG's EXIF orientation).
        return ExifOrientation.Apply(new RgbImage(result.Width, result.Height, result.Data), ExifOrientation.Read(bytes));
    }

    /// <summary>Width and height from the header alone (no pixel data decoded).</summary>
    private static (int Width, int Height) Dimensions(string path, byte[] bytes)
    {
        ImageInfo? info;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception e) // as above: stb's header parsers throw a mix of types on bad data
        {
            throw new ImageLoadException($"{path}: not a supported image{Why(e)}", e);
        }
        return info is { Width: > 0, Height: > 0 } i ? (i.Width, i.Height)
            : throw new ImageLoadException($"{path}: not a supported image (no known image header)");
    }

    private static string Why(Exception e)
    {
        string why = e.Message.ReplaceLineEndings(" ").Trim(); // stb pads some messages with spaces, leaves others empty
        return why.Length > 0 ? $" ({(why.Length > 100 ? why[..100] + "..." : why)})" : "";
    }
}
