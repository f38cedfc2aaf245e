namespace GpuMobileNet.Detection;

/// <summary>One SSD anchor box in normalised image coordinates (0..1): centre and size.</summary>
/// <param name="CenterX">Horizontal centre.</param>
/// <param name="CenterY">Vertical centre.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
internal readonly record struct Anchor(float CenterX, float CenterY, float Width, float Height);

/// <summary>Generates SSD anchors from <see cref="SsdAnchorOptions"/>, in the order the box predictor emits them
/// (layer by layer; within a layer row by row, column by column, then anchor by anchor), following MediaPipe's
/// SsdAnchorsCalculator (which follows the TF Object Detection API's multiple_grid_anchor_generator).</summary>
internal static class SsdAnchors
{
    /// <summary>Every anchor, in the model's output order.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent (no strides, no aspect ratios, a non-positive size).</exception>
    public static Anchor[] Generate(SsdAnchorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var strides = options.Strides;
        if (strides.Count == 0 || strides.Any(s => s <= 0) || options.InputWidth <= 0 || options.InputHeight <= 0 || options.AspectRatios.Count == 0
            || options.AspectRatios.Any(r => !(r > 0)))
            throw new ArgumentException("anchor options need positive strides, input size and aspect ratios", nameof(options));
        var anchors = new List<Anchor>();
        int layer = 0;
        while (layer < strides.Count)
        {
            var ratios = new List<float>();
            var scales = new List<float>();
            // Consecutive layers with the same stride share one feature map: their anchors are interleaved per cell.
            int last = layer;
            for (; last < strides.Count && strides[last] == strides[layer]; last++)
            {
                float scale = Scale(options, last);
                if (last == 0 && options.ReduceBoxesInLowestLayer)
                {
                    ratios.AddRange([1.0f, 2.0f, 0.5f]);
                    scales.AddRange([0.1f, scale, scale]);
                    continue;
                }
                foreach (float r in options.AspectRatios)
                {
                    ratios.Add(r);
                    scales.Add(scale);
                }
                if (options.InterpolatedScaleAspectRatio > 0)
                {
                    float next = last == strides.Count - 1 ? 1.0f : Scale(options, last + 1);
                    scales.Add(MathF.Sqrt(scale * next));
                    ratios.Add(options.InterpolatedScaleAspectRatio);
                }
            }
            int rows = (int)Math.Ceiling((double)options.InputHeight / strides[layer]);
            int cols = (int)Math.Ceiling((double)options.InputWidth / strides[layer]);
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++)
                    for (int a = 0; a < ratios.Count; a++)
                    {
                        float root = MathF.Sqrt(ratios[a]);
                        anchors.Add(new Anchor((x + options.AnchorOffsetX) / cols, (y + options.AnchorOffsetY) / rows,
                            scales[a] * root, scales[a] / root));
                    }
            layer = last;
        }
        return anchors.ToArray();
    }

    /// <summary>Scales grow linearly from MinScale (first layer) to MaxScale (last).</summary>
    private static float Scale(SsdAnchorOptions o, int layer) =>
        o.Strides.Count == 1 ? (o.MinScale + o.MaxScale) * 0.5f : o.MinScale + (o.MaxScale - o.MinScale) * layer / (o.Strides.Count - 1.0f);
}
