namespace GpuMobileNet.Detection;

/// <summary>An axis-aligned box in normalised image coordinates (0..1 across the image; may stick out slightly).
/// Thread-safety: an immutable value.</summary>
/// <param name="XMin">Left edge.</param>
/// <param name="YMin">Top edge.</param>
/// <param name="XMax">Right edge.</param>
/// <param name="YMax">Bottom edge.</param>
public readonly record struct Box(float XMin, float YMin, float XMax, float YMax)
{
    /// <summary>Width times height (0 for an empty box).</summary>
    public float Area => Math.Max(0, XMax - XMin) * Math.Max(0, YMax - YMin);

    /// <summary>Intersection over union with <paramref name="other"/> (0 when either is empty).</summary>
    public float IoU(Box other)
    {
        float w = Math.Min(XMax, other.XMax) - Math.Max(XMin, other.XMin);
        float h = Math.Min(YMax, other.YMax) - Math.Max(YMin, other.YMin);
        if (w <= 0 || h <= 0) return 0;
        float inter = w * h, union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>A box found in the image fitted by <see cref="Imaging.FrameFit.Fit(Imaging.RgbImage, int, int, Imaging.ResizeMode)"/>
    /// (to <paramref name="outW"/>:<paramref name="outH"/>) in the coordinates of the <paramref name="width"/> x
    /// <paramref name="height"/> image itself: the crop's offset added back, the letterbox's bars taken away.</summary>
    public Box Unfit(int width, int height, int outW, int outH, Imaging.ResizeMode mode)
    {
        var (w, h, dx, dy) = Imaging.FrameFit.Geometry(width, height, outW, outH, mode);
        // Crop: the fitted frame lies inside the image at (dx, dy); letterbox: the image lies inside it there.
        int sign = mode == Imaging.ResizeMode.Letterbox ? -1 : 1;
        float X(float v) => (v * w + sign * dx) / width;
        float Y(float v) => (v * h + sign * dy) / height;
        return new Box(X(XMin), Y(YMin), X(XMax), Y(YMax));
    }

    /// <summary>The box in pixels of a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public Box ToPixels(int width, int height) => new(XMin * width, YMin * height, XMax * width, YMax * height);
}

/// <summary>One detected object: its class, score (0..1) and box.
/// Thread-safety: immutable; safe to share between threads.</summary>
/// <param name="ClassId">Index into the model's label map.</param>
/// <param name="Label">The class name (the id as text when there is no label map).</param>
/// <param name="Score">Confidence, 0..1.</param>
/// <param name="Box">Where, in normalised image coordinates.</param>
public sealed record Detection(int ClassId, string Label, float Score, Box Box)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Label} {Score:0.000} [{Box.XMin:0.000}, {Box.YMin:0.000}, {Box.XMax:0.000}, {Box.YMax:0.000}]";
}
