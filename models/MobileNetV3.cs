using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>MobileNetV3-Large and -Small (Howard et al. 2019, Tables 1 and 2): bottlenecks of a 1x1 expansion,
/// a 3x3 or 5x5 depthwise convolution and a linear 1x1 projection, some with squeeze-and-excite (global pool,
/// 1x1 to a quarter of the channels with ReLU, 1x1 back with hard-sigmoid, channel scale), ReLU in the early
/// layers and h-swish in the late ones, and the efficient last stage: 1x1 to 6x the last bottleneck's width,
/// global pool, then a 1x1 (dense) to 1280 / 1024 features with h-swish and the classifier.
/// Channel counts follow Keras's MobileNetV3: outputs are width x the paper's, rounded to multiples of 8; the
/// 1280 / 1024 features grow with the width only above 1. At width 1.0 the parameters equal torchvision's
/// (5,483,032 and 2,542,856).</summary>
internal static class MobileNetV3
{
    /// <summary>One bottleneck: kernel, expanded width, output width, squeeze-and-excite, h-swish (else ReLU), stride.</summary>
    private readonly record struct Bneck(int Kernel, int Expanded, int Out, bool SqueezeExcite, bool HardSwish, int Stride);

    // Table 1 (Large): the stem's 16 channels feed these.
    private static readonly Bneck[] LargeBlocks =
    [
        new(3, 16, 16, false, false, 1), new(3, 64, 24, false, false, 2), new(3, 72, 24, false, false, 1),
        new(5, 72, 40, true, false, 2), new(5, 120, 40, true, false, 1), new(5, 120, 40, true, false, 1),
        new(3, 240, 80, false, true, 2), new(3, 200, 80, false, true, 1), new(3, 184, 80, false, true, 1),
        new(3, 184, 80, false, true, 1), new(3, 480, 112, true, true, 1), new(3, 672, 112, true, true, 1),
        new(5, 672, 160, true, true, 2), new(5, 960, 160, true, true, 1), new(5, 960, 160, true, true, 1),
    ];

    // Table 2 (Small).
    private static readonly Bneck[] SmallBlocks =
    [
        new(3, 16, 16, true, false, 2), new(3, 72, 24, false, false, 2), new(3, 88, 24, false, false, 1),
        new(5, 96, 40, true, true, 2), new(5, 240, 40, true, true, 1), new(5, 240, 40, true, true, 1),
        new(5, 120, 48, true, true, 1), new(5, 144, 48, true, true, 1), new(5, 288, 96, true, true, 2),
        new(5, 576, 96, true, true, 1), new(5, 576, 96, true, true, 1),
    ];

    /// <summary>MobileNetV3-Large: 5.4 M parameters and 219 M multiply-adds at width 1.0, 224x224 (the paper).</summary>
    /// <param name="alpha">Width multiplier (0.75 and 1.0 in the paper; any value in (0, 4]).</param>
    /// <param name="resolution">Square input size, 32 to 4096.</param>
    /// <param name="classes">Classifier outputs.</param>
    /// <param name="weights">Weights by layer name; seeded random (seed 0) when null. Random weights are scaled for
    /// unbounded activations (see LinearInputWeightInit).</param>
    public static ModelGraph CreateLarge(double alpha = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null) =>
        Create("mobilenet_v3_large", LargeBlocks, 1280, alpha, resolution, classes, weights);

    /// <summary>MobileNetV3-Small: 2.5 M parameters and 56 M multiply-adds at width 1.0, 224x224 (the paper).</summary>
    /// <param name="alpha">Width multiplier (0.75 and 1.0 in the paper; any value in (0, 4]).</param>
    /// <param name="resolution">Square input size, 32 to 4096.</param>
    /// <param name="classes">Classifier outputs.</param>
    /// <param name="weights">Weights by layer name; seeded random (seed 0) when null. Random weights are scaled for
    /// unbounded activations (see LinearInputWeightInit).</param>
    public static ModelGraph CreateSmall(double alpha = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null) =>
        Create("mobilenet_v3_small", SmallBlocks, 1024, alpha, resolution, classes, weights);

    private static ModelGraph Create(string name, Bneck[] blocks, int features, double alpha, int resolution, int classes, WeightInit? weights)
    {
        LayerBuilder.CheckArguments(alpha, resolution, classes);
        var builder = new GraphBuilder($"{name}_{alpha:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new LayerBuilder(builder, LinearInputWeightInit.For(weights));
        int Width(int c) => MobileNetV2.MakeDivisible(c * alpha);

        // Keras's rules: the stem keeps 16 channels at every width, and a block expands its actual input by the
        // paper's ratio (72 / 24 = 3), rounded; these give the paper's 0.75 counts (4.0 M / 155 M, 2.0 M / 44 M),
        // where scaling the expanded widths of the tables directly gives 140 M and 39 M.
        var x = layers.ConvBn(builder.Input, "Conv", "Conv_BatchNorm", "Conv_hswish", 16, 3, 2, false, Activation.HardSwish);
        int paperIn = 16;
        for (int i = 0; i < blocks.Length; i++)
        {
            int expanded = MobileNetV2.MakeDivisible(x.Shape.C * (double)blocks[i].Expanded / paperIn);
            x = Bottleneck(layers, x, blocks[i], expanded, Width(blocks[i].Out), i);
            paperIn = blocks[i].Out;
        }

        // The efficient last stage (section 5.1): pool before the wide 1x1, which then costs 1x1 pixels.
        x = layers.ConvBn(x, "Conv_1", "Conv_1_BatchNorm", "Conv_1_hswish", 6 * x.Shape.C, 1, 1, false, Activation.HardSwish);
        var pooled = builder.GlobalAvgPool("global_average_pooling2d", x);
        int last = alpha > 1.0 ? MobileNetV2.MakeDivisible(features * alpha) : features;
        var wts = layers.Weights;
        var head = builder.Dense("Conv_2", pooled, last, wts.DenseWeights("Conv_2", last, pooled.Shape.C), wts.Bias("Conv_2", last),
            Activation.HardSwish);
        var logits = builder.Dense("Logits", head, classes, wts.DenseWeights("Logits", classes, last), wts.Bias("Logits", classes));
        return builder.Build(builder.Softmax("predictions", logits));
    }

    private static Value Bottleneck(LayerBuilder layers, Value input, Bneck b, int expanded, int outC, int id)
    {
        string prefix = "expanded_conv" + (id == 0 ? "" : "_" + id.ToString(CultureInfo.InvariantCulture));
        var act = b.HardSwish ? Activation.HardSwish : Activation.Relu;
        string actSuffix = b.HardSwish ? "hswish" : "relu";
        var x = input;
        if (expanded != input.Shape.C)
            x = layers.ConvBn(x, $"{prefix}_expand", $"{prefix}_expand_BatchNorm", $"{prefix}_expand_{actSuffix}", expanded, 1, 1, false, act);
        x = layers.ConvBn(x, $"{prefix}_depthwise", $"{prefix}_depthwise_BatchNorm", $"{prefix}_depthwise_{actSuffix}",
            x.Shape.C, b.Kernel, b.Stride, true, act);
        if (b.SqueezeExcite)
            x = SqueezeExcite(layers, x, $"{prefix}_squeeze_excite");
        x = layers.ConvBn(x, $"{prefix}_project", $"{prefix}_project_BatchNorm", null, outC, 1, 1, false);
        return b.Stride == 1 && input.Shape.C == outC ? layers.Graph.Add($"{prefix}_add", input, x) : x;
    }

    /// <summary>Global pool, 1x1 to a quarter of the channels (rounded to 8) with ReLU, 1x1 back with hard-sigmoid,
    /// and the input scaled per channel by the result.</summary>
    private static Value SqueezeExcite(LayerBuilder layers, Value x, string prefix)
    {
        var g = layers.Graph;
        int c = x.Shape.C, squeezed = MobileNetV2.MakeDivisible(c / 4.0);
        var pooled = g.GlobalAvgPool($"{prefix}_AvgPool", x);
        var s = g.Conv2d($"{prefix}_Conv", pooled, squeezed, 1, 1, Padding.Zero, 1,
            layers.Weights.ConvWeights($"{prefix}_Conv", squeezed, c, 1, 1), layers.Weights.Bias($"{prefix}_Conv", squeezed), Activation.Relu);
        var gate = g.Conv2d($"{prefix}_Conv_1", s, c, 1, 1, Padding.Zero, 1,
            layers.Weights.ConvWeights($"{prefix}_Conv_1", c, squeezed, 1, 1), layers.Weights.Bias($"{prefix}_Conv_1", c), Activation.HardSigmoid);
        return g.Mul($"{prefix}_Mul", x, gate);
    }
}
