namespace GpuMobileNet.Kernels;

/// <summary>Weights kept as int8 in the weight buffer: a quarter of the fp32 bytes, read through the snorm texel view
/// (binding 6, include/vec4_io.glsl's W8) and scaled per output channel in the kernel. A layer qualifies when every row
/// (output channel) is int8 levels times one scale: w = level x max|w| / 127 with |level| at most 127, which is what
/// ncnn's int8 models hold once the importer has divided their levels by their per-output scales. The test is on the
/// weights themselves, so a pass that changes them (a folded batch norm) simply leaves the layer in fp32.</summary>
internal static class Int8Weights
{
    /// <summary>How far w x 127 / max|w| may lie from an integer level: the importer's level / scale and this product
    /// are each rounded to fp32, about 1e-5 of a level apart; real-valued weights miss by up to half a level.</summary>
    private const double LevelTolerance = 1e-3;

    /// <summary>Per row of <paramref name="rowLength"/> weights, its largest |weight| (its scale: the weight of level 127),
    /// if every weight of every row is an int8 level times that scale / 127; null otherwise (most fp32 layers fail on their
    /// first row). An all-zero row has scale 0.</summary>
    public static float[]? RowScales(float[] weights, int rowLength)
    {
        if (rowLength <= 0 || weights.Length % rowLength != 0) return null;
        var scales = new float[weights.Length / rowLength];
        for (int r = 0; r < scales.Length; r++)
        {
            var row = weights.AsSpan(r * rowLength, rowLength);
            float max = 0;
            foreach (float w in row) max = Math.Max(max, Math.Abs(w));
            if (!float.IsFinite(max)) return null;
            if (max > 0)
                foreach (float w in row)
                {
                    double level = w * 127.0 / max;
                    if (Math.Abs(level - Math.Round(level)) > LevelTolerance) return null;
                }
            scales[r] = max;
        }
        return scales;
    }

    /// <summary>A layer's weights as a kernel's int8 variant reads them: <paramref name="scaleCount"/> fp32 scales (one per
    /// output channel, 0 for padding channels), then <paramref name="packed"/> as int8 levels (<see cref="PackQuads"/>);
    /// null where the weights (<paramref name="weights"/>, rows of <paramref name="rowLength"/>) are not int8 levels or
    /// the snorm view would not reach the block. <paramref name="channelOf"/> maps a packed element to its output channel.</summary>
    public static float[]? Block(float[] weights, int rowLength, float[] packed, int scaleCount, Func<int, int> channelOf, KernelContext ctx)
    {
        var scales = RowScales(weights, rowLength);
        if (scales is null || scales.Length > scaleCount || !ctx.ByteTexelsReach(ctx.Weights.Mark().PageEnd, scaleCount + packed.Length / 4))
            return null;
        var block = new float[scaleCount + packed.Length / 4];
        scales.CopyTo(block, 0);
        PackQuads(packed, i => channelOf(i) is var o && o < scales.Length ? scales[o] : 0).CopyTo(block, scaleCount);
        return block;
    }

    /// <summary>Packed fp32 weights (4 consecutive elements are 4 output channels of one input channel, as the packed
    /// kernels lay them out) as int8 levels, the 4 levels of each quad in one fp32 slot (little-endian: the quad's first
    /// element in the low byte), so element offset e of the result is texel e of the snorm view.
    /// <paramref name="scaleOf"/> gives the scale of packed element i's output channel (0: a padding channel).</summary>
    public static float[] PackQuads(float[] packed, Func<int, float> scaleOf)
    {
        if (packed.Length % 4 != 0) throw new ArgumentException($"{packed.Length} packed weights are not whole quads", nameof(packed));
        var slots = new float[packed.Length / 4];
        for (int q = 0; q < slots.Length; q++)
        {
            int bits = 0;
            for (int j = 0; j < 4; j++)
            {
                int i = q * 4 + j;
                float scale = scaleOf(i);
                int level = scale == 0 ? 0 : (int)Math.Round(packed[i] * 127.0 / scale);
                bits |= (byte)(sbyte)Math.Clamp(level, -127, 127) << (8 * j);
            }
            slots[q] = BitConverter.Int32BitsToSingle(bits);
        }
        return slots;
    }
}
