using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>GhostNet (Han et al. 2020, Table 7) as the reference code builds it: a 3x3 stride-2 stem, 16 ghost
/// bottlenecks, a 1x1 conv to 960, global pool, a dense layer to 1280 + ReLU, the classifier and softmax.
/// A ghost module is a primary 1x1 conv to ceil(out / 2) channels, a cheap 3x3 depthwise conv of those, and
/// their concatenation cut to out channels. A bottleneck is ghost module (ReLU) → [depthwise k x k stride 2 + BN] →
/// [squeeze-and-excite] → ghost module (linear) + shortcut (identity, or depthwise k x k + BN → 1x1 + BN when the shape
/// changes). Channel counts are rounded to multiples of 4 as in the reference code.</summary>
internal static class GhostNet
{
    // (depthwise kernel, expansion channels, output channels, squeeze-and-excite, stride) of the 16 bottlenecks.
    private static readonly (int Kernel, int Expansion, int Channels, bool SqueezeExcite, int Stride)[] Blocks =
    [
        (3, 16, 16, false, 1), (3, 48, 24, false, 2), (3, 72, 24, false, 1), (5, 72, 40, true, 2), (5, 120, 40, true, 1),
        (3, 240, 80, false, 2), (3, 200, 80, false, 1), (3, 184, 80, false, 1), (3, 184, 80, false, 1),
        (3, 480, 112, true, 1), (3, 672, 112, true, 1), (5, 672, 160, true, 2),
        (5, 960, 160, false, 1), (5, 960, 160, true, 1), (5, 960, 160, false, 1), (5, 960, 160, true, 1),
    ];

    /// <summary>GhostNet at width <paramref name="width"/> (1.0 is the paper's) with seeded random weights unless
    /// <paramref name="weights"/> says otherwise.</summary>
    public static ModelGraph Create(double width = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(width, resolution, classes);
        var builder = new GraphBuilder($"ghostnet_{width:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var init = weights ?? WeightInit.Random(0);
        var layers = new TorchLayers(builder, init);

        var x = layers.ConvBn(builder.Input, "conv_stem", Divisible(16 * width), 3, 2, 1, relu: true);
        for (int i = 0; i < Blocks.Length; i++)
        {
            var (kernel, expansion, channels, se, stride) = Blocks[i];
            x = Bottleneck(layers, x, Divisible(expansion * width), Divisible(channels * width), kernel, stride, se,
                "blocks_" + i.ToString(CultureInfo.InvariantCulture));
        }
        x = layers.ConvBn(x, "conv_last", Divisible(960 * width), 1, 1, 1, relu: true);
        var pooled = builder.GlobalAvgPool("global_pool", x);
        var head = builder.Dense("conv_head", pooled, 1280, init.DenseWeights("conv_head", 1280, pooled.Shape.C),
            init.Bias("conv_head", 1280), Activation.Relu);
        var logits = builder.Dense("classifier", head, classes, init.DenseWeights("classifier", classes, 1280), init.Bias("classifier", classes));
        return builder.Build(builder.Softmax("predictions", logits));
    }

    /// <summary>The reference _make_divisible with divisor 4.</summary>
    public static int Divisible(double v) => MobileNetV2.MakeDivisible(v, 4);

    private static Value Bottleneck(TorchLayers layers, Value input, int mid, int outC, int kernel, int stride, bool se, string name)
    {
        var g = layers.Graph;
        var x = GhostModule(layers, input, mid, relu: true, $"{name}_ghost1");
        if (stride > 1) x = layers.Depthwise(x, $"{name}_conv_dw", kernel, stride);
        if (se) x = SqueezeExcite(layers, x, Divisible(mid * 0.25), $"{name}_se");
        // Random weights: the branch summed into the residual starts small (ResNet's zero-gamma idea), or 16 sums grow.
        x = GhostModule(layers, x, outC, relu: false, $"{name}_ghost2", randomGain: 0.3);
        var shortcut = input;
        if (stride != 1 || input.Shape.C != outC)
        {
            shortcut = layers.Depthwise(input, $"{name}_shortcut_dw", kernel, stride);
            shortcut = layers.ConvBn(shortcut, $"{name}_shortcut_pw", outC, 1, 1, 1, relu: false);
        }
        return g.Add($"{name}_add", x, shortcut);
    }

    /// <summary>Primary 1x1 conv to ceil(out / 2) channels, a cheap 3x3 depthwise conv of them, both concatenated and
    /// cut to <paramref name="outC"/> channels (a cut only happens for odd widths).</summary>
    private static Value GhostModule(TorchLayers layers, Value x, int outC, bool relu, string name, double randomGain = 1)
    {
        int primaryC = (outC + 1) / 2;
        var primary = layers.ConvBn(x, $"{name}_primary", primaryC, 1, 1, 1, relu, randomGain);
        var cheap = layers.ConvBn(primary, $"{name}_cheap", primaryC, 3, 1, primaryC, relu);
        var joined = layers.Graph.Concat($"{name}_concat", [primary, cheap], [primaryC, primaryC]);
        return joined.Shape.C == outC ? joined : layers.Graph.SliceChannels($"{name}_slice", joined, 0, outC);
    }

    /// <summary>Global pool → 1x1 conv (bias) + ReLU → 1x1 conv (bias) + hard sigmoid → channel scale: MobileNetV3's
    /// gate, so the engine runs it as one dispatch and folds the scale into the next 1x1 convolution's read.</summary>
    private static Value SqueezeExcite(TorchLayers layers, Value x, int reducedC, string name)
    {
        var g = layers.Graph;
        var w = layers.Weights;
        int c = x.Shape.C;
        var pooled = g.GlobalAvgPool($"{name}_pool", x);
        var reduced = g.Conv2d($"{name}_conv_reduce", pooled, reducedC, 1, 1, Padding.Zero, 1,
            w.ConvWeights($"{name}_conv_reduce", reducedC, c, 1, 1), w.Bias($"{name}_conv_reduce", reducedC), Activation.Relu);
        var gate = g.Conv2d($"{name}_conv_expand", reduced, c, 1, 1, Padding.Zero, 1,
            w.ConvWeights($"{name}_conv_expand", c, reducedC, 1, 1), w.Bias($"{name}_conv_expand", c), Activation.HardSigmoid);
        return g.Mul($"{name}_scale", x, gate);
    }
}
