namespace GpuMobileNet.Import.Ncnn;

/// <summary>Seeded random weights of the shapes a .param asks for, realistic enough that activations neither vanish
/// nor blow up through deep networks (ResNet-50, VGG-16): He-scaled weights (variance 2 / fan-in) before a ReLU-like
/// activation (fused or the next layer), 1 / fan-in before a sigmoid, 0.5 / fan-in for a linear layer (so that a
/// residual sum grows by half, not double, per block); small biases; BatchNorm with positive variance. int8 layers get
/// int8 levels with per-output scales (127 / largest |weight|), as ncnn's quantiser writes them. Every value is exact
/// in fp16, so that ncnn's x86 CPU path, which keeps some weights as fp16 (its default fp16 storage), computes with the
/// very weights we do.</summary>
internal static class NcnnRandomWeights
{
    /// <summary>The most values the random weights of one model may have (1 GiB of fp32; VGG-16 has 138 M).</summary>
    public const long MaxValues = 1L << 28;

    private static readonly HashSet<string> RectifierTypes = new(StringComparer.Ordinal) { "ReLU", "Swish", "HardSwish", "Clip", "Mish", "ELU", "PReLU" };

    /// <summary>Each layer's blobs (in <see cref="NcnnWeightSpec"/> order), drawn from <paramref name="seed"/>.</summary>
    /// <exception cref="ModelLoadException">The parameters ask for more than <see cref="MaxValues"/> values or a negative count.</exception>
    public static IReadOnlyList<NcnnWeightFile.Blob[]> Generate(NcnnNet net, int seed, string file)
    {
        long total = 0;
        foreach (var layer in net.Layers)
            foreach (var spec in NcnnWeightSpec.For(layer))
            {
                if (spec.Count < 0) throw new ModelLoadException($"{file}: {layer}: a weight blob of {spec.Count} values is not a valid size");
                total += spec.Count;
                if (total > MaxValues)
                    throw new ModelLoadException($"{file}: {layer}: the weights would have more than {MaxValues:N0} values, the limit for random weights");
            }
        var readers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var layer in net.Layers)
            foreach (var b in layer.Bottoms)
                (readers.TryGetValue(b, out var list) ? list : readers[b] = []).Add(layer.Type);
        var rng = new Random(seed);
        return net.Layers.Select(layer => Layer(layer, Gain(layer, readers), rng)).ToList();
    }

    /// <summary>Writes <paramref name="blobs"/> (from <see cref="Generate"/>) as a .bin ncnn reads.</summary>
    public static void Write(NcnnNet net, IReadOnlyList<NcnnWeightFile.Blob[]> blobs, Stream stream)
    {
        var writer = new NcnnWeightFile.Writer(stream);
        for (int i = 0; i < net.Layers.Count; i++)
        {
            var specs = NcnnWeightSpec.For(net.Layers[i]);
            for (int k = 0; k < specs.Count; k++)
            {
                var blob = blobs[i][k];
                if (blob.IsInt8) writer.WriteInt8(blob.Values.Select(v => (sbyte)v).ToArray());
                else writer.WriteFloats(blob.Values, specs[k].Tagged);
            }
        }
    }

    private static float Gain(NcnnLayer layer, Dictionary<string, List<string>> readers)
    {
        int act = layer.Params.Int(9, 0);
        bool rectified = act is 1 or 2 or 3 or 5 or 6
            || layer.Tops.Any(t => readers.TryGetValue(t, out var r) && r.Any(RectifierTypes.Contains));
        return rectified ? 2f : act == 4 ? 1f : 0.5f;
    }

    private static NcnnWeightFile.Blob[] Layer(NcnnLayer layer, float gain, Random rng)
    {
        var specs = NcnnWeightSpec.For(layer);
        var blobs = new NcnnWeightFile.Blob[specs.Count];
        int outputs = Math.Max(1, layer.Params.Int(0, 1));
        for (int k = 0; k < specs.Count; k++)
        {
            var spec = specs[k];
            int n = (int)spec.Count;
            if (spec.Kind == NcnnBlobKind.WeightScale)
            {
                // The weight blob (first) becomes int8 levels, this one their scales.
                blobs[k] = new(Quantise(blobs[0].Values, n, out var levels), false);
                blobs[0] = new(levels, true);
                continue;
            }
            blobs[k] = spec.Kind switch
            {
                NcnnBlobKind.Weight => new(Normal(rng, n, MathF.Sqrt(gain / Math.Max(1, n / outputs))), false),
                NcnnBlobKind.Bias => new(Normal(rng, n, 0.05f), false),
                NcnnBlobKind.BnSlope or NcnnBlobKind.BnVariance => new(Uniform(rng, n, 0.5f, 1.5f), false),
                NcnnBlobKind.ActivationScale => new([127f / 4], false),
                _ => new(Normal(rng, n, 0.1f), false),
            };
        }
        return blobs;
    }

    // One scale per group of weights (per output): 127 / largest |w|, and the weights as levels round(w * scale).
    private static float[] Quantise(float[] weights, int groups, out float[] levels)
    {
        var scales = new float[groups];
        levels = new float[weights.Length];
        int per = weights.Length / groups;
        for (int g = 0; g < groups; g++)
        {
            float max = 1e-12f;
            for (int i = g * per; i < (g + 1) * per; i++) max = Math.Max(max, Math.Abs(weights[i]));
            scales[g] = 127f / max;
            for (int i = g * per; i < (g + 1) * per; i++) levels[i] = Math.Clamp(MathF.Round(weights[i] * scales[g]), -127, 127);
        }
        return scales;
    }

    private static float[] Normal(Random rng, int n, float std)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = (float)(Half)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    private static float[] Uniform(Random rng, int n, float lo, float hi)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(Half)(lo + rng.NextDouble() * (hi - lo));
        return v;
    }
}
