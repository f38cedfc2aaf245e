namespace GpuMobileNet.Models;

/// <summary>Seeded random weights for networks whose activations are unbounded (MobileNetV3's ReLU and h-swish,
/// where V1/V2's ReLU6 caps every layer): <see cref="RandomWeightInit"/>'s He scaling doubles the second moment of
/// a layer fed by a linear (not rectified) tensor, and each residual add adds the branch's moment, so MobileNetV3-
/// Large's logits reached an RMS of 240 and its softmax saturated. Here expansions and the last 1x1 (fed by linear
/// bottlenecks) and projections (whose output a residual add sums) are scaled by 1/sqrt(2): through MobileNetV3-Large
/// the block outputs' RMS then stays between 0.1 and 1.2 (the SE gates, about 0.5, shrink the late blocks) and the
/// logits' is 0.08 (projections at 1/2: 0.12 to 0.8). Only random weights change: given weights are used as they are.</summary>
internal sealed class LinearInputWeightInit(WeightInit inner) : WeightInit
{
    public override float[] ConvWeights(string layer, int outC, int inCPerGroup, int kernelH, int kernelW)
    {
        var w = inner.ConvWeights(layer, outC, inCPerGroup, kernelH, kernelW);
        double scale = layer.EndsWith("_expand", StringComparison.Ordinal) || layer == "Conv_1" ? Math.Sqrt(0.5)
            : layer.EndsWith("_project", StringComparison.Ordinal) ? Math.Sqrt(0.5) : 1.0;
        if (scale != 1.0)
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] * scale);
        return w;
    }

    public override float[] DenseWeights(string layer, int outFeatures, int inFeatures) => inner.DenseWeights(layer, outFeatures, inFeatures);

    public override float[] Bias(string layer, int count) => inner.Bias(layer, count);

    public override BatchNormWeights BatchNorm(string layer, int channels) => inner.BatchNorm(layer, channels);

    /// <summary><paramref name="weights"/> wrapped when they are this library's random weights (or none were given).</summary>
    public static WeightInit For(WeightInit? weights) =>
        weights is null or RandomWeightInit ? new LinearInputWeightInit(weights ?? Random(0)) : weights;
}
