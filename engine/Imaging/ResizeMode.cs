namespace GpuMobileNet.Imaging;

/// <summary>How an image of another aspect ratio is fitted to the network's input. Thread-safety: a value.</summary>
public enum ResizeMode
{
    /// <summary>The whole image stretched to the input size (nsfwjs's preprocessing; the default).</summary>
    Stretch,
    /// <summary>The largest centred rectangle of the input's aspect ratio, stretched: no distortion, the edges cut off.</summary>
    Crop,
    /// <summary>The whole image centred on black bars up to the input's aspect ratio, stretched: no distortion, nothing cut off.</summary>
    Letterbox,
}

/// <summary>Fits a frame to a target aspect ratio on the host before the (device or CPU) stretch: a centre crop copies
/// the centred rows, a letterbox copies the frame onto a black canvas. Bilinear stretching of the result then gives
/// the mode. Sizes round to whole pixels, so the aspect matches within one pixel.
/// Thread-safety: thread-safe (pure functions).</summary>
internal static class FrameFit
{
    /// <summary>Parses stretch, crop or letterbox (case-insensitive); null for anything else.</summary>
    public static ResizeMode? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "stretch" => ResizeMode.Stretch,
        "crop" => ResizeMode.Crop,
        "letterbox" => ResizeMode.Letterbox,
        _ => null,
    };

    /// <summary>The frame fitted to <paramref name="outW"/>:<paramref name="outH"/>: pixels of <paramref name="channels"/>
    /// bytes, <paramref name="width"/> x <paramref name="height"/>. Stretch returns the frame itself (no copy).</summary>
    public static (ReadOnlyMemory<byte> Pixels, int Width, int Height) Fit(ReadOnlyMemory<byte> pixels, int width, int height, int channels,
        int outW, int outH, ResizeMode mode)
    {
        var (w, h, dx, dy) = Geometry(width, height, outW, outH, mode);
        if (w == width && h == height) return (pixels, width, height);
        var dst = new byte[checked(w * h * channels)];
        var src = pixels.Span;
        // Crop: copy from the centre of the frame; letterbox: copy the frame into the centre of the canvas.
        int rows = Math.Min(h, height), rowBytes = Math.Min(w, width) * channels;
        for (int y = 0; y < rows; y++)
        {
            var from = mode == ResizeMode.Crop ? src.Slice(((y + dy) * width + dx) * channels, rowBytes) : src.Slice(y * width * channels, rowBytes);
            from.CopyTo(dst.AsSpan(mode == ResizeMode.Crop ? y * w * channels : ((y + dy) * w + dx) * channels));
        }
        return (dst, w, h);
    }

    /// <summary>The fitted frame's size and where the frame lies in it (letterbox: the bars' left and top widths) or it
    /// lies in the frame (crop: the cut-off left and top widths); the frame's own size and no offset for stretch.</summary>
    public static (int Width, int Height, int Dx, int Dy) Geometry(int width, int height, int outW, int outH, ResizeMode mode)
    {
        if (mode == ResizeMode.Stretch) return (width, height, 0, 0);
        bool wider = (long)width * outH > (long)height * outW;
        // Crop shrinks the long side, letterbox grows the short one, to the target's aspect.
        bool keepHeight = wider == (mode == ResizeMode.Crop);
        int w = keepHeight ? Scaled(height, outW, outH) : width;
        int h = keepHeight ? height : Scaled(width, outH, outW);
        (w, h) = mode == ResizeMode.Crop ? (Math.Min(w, width), Math.Min(h, height)) : (Math.Max(w, width), Math.Max(h, height));
        return (w, h, Math.Abs(width - w) / 2, Math.Abs(height - h) / 2);
    }

    /// <summary><paramref name="image"/> fitted to <paramref name="outW"/>:<paramref name="outH"/> (the CPU path's form).</summary>
    public static RgbImage Fit(RgbImage image, int outW, int outH, ResizeMode mode)
    {
        var (pixels, w, h) = Fit(image.Pixels, image.Width, image.Height, 3, outW, outH, mode);
        return w == image.Width && h == image.Height ? image : new RgbImage(w, h, pixels.ToArray());
    }

    private static int Scaled(int side, int num, int den) => Math.Max(1, (int)Math.Round((double)side * num / den, MidpointRounding.AwayFromZero));
}
