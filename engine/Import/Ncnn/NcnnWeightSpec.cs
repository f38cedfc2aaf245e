namespace GpuMobileNet.Import.Ncnn;

/// <summary>What one weight blob of a layer holds (decides how seeded random weights are drawn).</summary>
internal enum NcnnBlobKind
{
    /// <summary>Convolution or fully connected weights.</summary>
    Weight,
    /// <summary>A bias per output.</summary>
    Bias,
    /// <summary>BatchNorm's per-channel scale (gamma).</summary>
    BnSlope,
    /// <summary>BatchNorm's running mean.</summary>
    BnMean,
    /// <summary>BatchNorm's running variance (must be positive).</summary>
    BnVariance,
    /// <summary>BatchNorm's shift (beta).</summary>
    BnBias,
    /// <summary>An int8 model's per-output weight scale (q = w * scale).</summary>
    WeightScale,
    /// <summary>An int8 model's activation scale (input, output).</summary>
    ActivationScale,
    /// <summary>A constant tensor (MemoryData, per-channel padding values).</summary>
    Constant,
}

/// <summary>One blob of a layer's weights in the .bin: <see cref="Count"/> values, stored with a 4-byte type tag
/// (fp32, fp16, int8, ...) when <see cref="Tagged"/>, else as raw fp32.</summary>
internal sealed record NcnnBlobSpec(NcnnBlobKind Kind, long Count, bool Tagged);

/// <summary>The weight blobs each layer type reads from the .bin, in order, from its parameters alone (as ncnn's
/// operation-param-weight-table lists them), so the .bin can be read, checked and written before the graph is built.</summary>
internal static class NcnnWeightSpec
{
    /// <summary>The blobs of <paramref name="layer"/> (empty for a layer without weights).</summary>
    public static IReadOnlyList<NcnnBlobSpec> For(NcnnLayer layer)
    {
        var p = layer.Params;
        var blobs = new List<NcnnBlobSpec>();
        switch (layer.Type)
        {
            case "Convolution" or "ConvolutionDepthWise" or "Deconvolution" or "DeconvolutionDepthWise":
                blobs.Add(new(NcnnBlobKind.Weight, p.Int(6, 0), true));
                if (p.Int(5, 0) != 0) blobs.Add(new(NcnnBlobKind.Bias, p.Int(0, 0), false));
                int term = p.Int(8, 0);
                bool depthwise = layer.Type == "ConvolutionDepthWise";
                AddInt8Scales(blobs, term, !depthwise ? p.Int(0, 0) : term is 2 or 102 ? 1 : p.Int(7, 1));
                break;
            case "InnerProduct":
                blobs.Add(new(NcnnBlobKind.Weight, p.Int(2, 0), true));
                if (p.Int(1, 0) != 0) blobs.Add(new(NcnnBlobKind.Bias, p.Int(0, 0), false));
                AddInt8Scales(blobs, p.Int(8, 0), p.Int(0, 0));
                break;
            case "BatchNorm":
                foreach (var kind in new[] { NcnnBlobKind.BnSlope, NcnnBlobKind.BnMean, NcnnBlobKind.BnVariance, NcnnBlobKind.BnBias })
                    blobs.Add(new(kind, p.Int(0, 0), false));
                break;
            case "MemoryData":
                long count = new long[] { p.Int(0, 0), p.Int(1, 0), p.Int(11, 0), p.Int(2, 0) }.Where(d => d != 0).Aggregate(1L, (a, d) => a * d);
                blobs.Add(new(NcnnBlobKind.Constant, count, p.Int(21, 1) == 0));
                break;
            case "Padding" when p.Int(6, 0) > 0:
                blobs.Add(new(NcnnBlobKind.Constant, p.Int(6, 0), false));
                break;
        }
        return blobs;
    }

    // ncnn's int8 layers: weight scales (per output; per group for a depthwise layer, or one for all with its term
    // 2/102), the input's scale, and with a term above 100 the output's scale too.
    private static void AddInt8Scales(List<NcnnBlobSpec> blobs, int term, int weightScales)
    {
        if (term == 0) return;
        blobs.Add(new(NcnnBlobKind.WeightScale, weightScales, false));
        blobs.Add(new(NcnnBlobKind.ActivationScale, 1, false));
        if (term > 100) blobs.Add(new(NcnnBlobKind.ActivationScale, 1, false));
    }
}
