using StbImageSharp;

namespace GpuMobileNet.Imaging;

/// <summary>Decodes PNG, JPEG, BMP, GIF (first frame), TGA, PSD and HDR files to RGB with StbImageSharp.</summary>
public static class ImageLoader
{
    /// <exception cref="ImageLoadException">The file is missing, not an image, or truncated.</exception>
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path))
            throw new ImageLoadException($"{path}: image file not found");
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes an image held in memory; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ImageLoadException">The bytes are not an image, or truncated.</exception>
    public static RgbImage Decode(byte[] bytes, string source)
    {
        string path = source;
        // stb_image decodes a cut-off JPEG (and some cut-off PNGs) without complaint, filling the
        // missing rows with grey or garbage: check the container is complete before decoding.
        if (TruncationCheck.Problem(bytes) is { } problem)
            throw new ImageLoadException($"{path}: image is truncated ({problem})");
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) // stb reports bad data with a mix of exception types
        {
            string why = e.Message.Trim(); // stb pads some messages with spaces, leaves others empty
            throw new ImageLoadException($"{path}: not a supported image{(why.Length > 0 ? $" ({why})" : "")}", e);
        }
        if (result is null || result.Data is null || result.Width <= 0 || result.Height <= 0)
            throw new ImageLoadException($"{path}: not a supported image");
        return new RgbImage(result.Width, result.Height, result.Data);
    }
}
