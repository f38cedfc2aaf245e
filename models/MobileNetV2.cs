using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>MobileNetV2 (Sandler et al. 2018, Table 2) as Keras builds it: inverted residual blocks
/// (1x1 expand + BN + ReLU6, 3x3 depthwise + BN + ReLU6, linear 1x1 project + BN, residual Add when the
/// stride is 1 and the channel counts match), then a 1x1 conv to 1280 channels, global pool, dense, softmax.
/// Channel counts are rounded to multiples of 8 as in the reference implementation.</summary>
internal static class MobileNetV2
{
    // (expansion t, output channels c, repeats n, first stride s) from Table 2.
    private static readonly (int Expansion, int Channels, int Repeats, int Stride)[] Stages =
    [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ];

    public static ModelGraph Create(double alpha = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(alpha, resolution, classes);
        var builder = new GraphBuilder($"mobilenet_v2_{alpha:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new LayerBuilder(builder, weights ?? WeightInit.Random(0));
        return layers.Head(Features(layers, alpha).Last, classes);
    }

    /// <summary>The backbone up to the last 1x1 conv (1280 channels, stride 32), and the expansion output of the first
    /// block at stride 32 (block_13_expand_relu: 576 channels at stride 16 for alpha 1, TF's "layer_15/expansion_output"),
    /// where SSDLite attaches its first prediction layer.</summary>
    internal static (Value Stride16Expansion, Value Last) Features(LayerBuilder layers, double alpha)
    {
        var x = layers.ConvBn(layers.Graph.Input, "Conv1", "bn_Conv1", "Conv1_relu", MakeDivisible(32 * alpha), 3, 2, false, Activation.Relu6);
        int blockId = 0;
        Value? stride16Expansion = null;
        foreach (var (expansion, channels, repeats, stride) in Stages)
            for (int r = 0; r < repeats; r++)
            {
                int s = r == 0 ? stride : 1;
                x = InvertedResidual(layers, x, expansion, MakeDivisible((int)(channels * alpha)), s, blockId, out var expanded);
                if (s == 2 && channels == 160) stride16Expansion = expanded;
                blockId++;
            }

        int lastChannels = alpha > 1.0 ? MakeDivisible(1280 * alpha) : 1280;
        x = layers.ConvBn(x, "Conv_1", "Conv_1_bn", "out_relu", lastChannels, 1, 1, false, Activation.Relu6);
        return (stride16Expansion!, x);
    }

    /// <summary>The reference _make_divisible: round to the nearest multiple of <paramref name="divisor"/>, at least
    /// the divisor, and never more than 10% below <paramref name="v"/>.</summary>
    public static int MakeDivisible(double v, int divisor = 8)
    {
        int rounded = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    private static Value InvertedResidual(LayerBuilder layers, Value input, int expansion, int outC, int stride, int blockId, out Value expanded)
    {
        // Keras names block 0 "expanded_conv" and the rest "block_{id}".
        string prefix = blockId == 0 ? "expanded_conv" : "block_" + blockId.ToString(CultureInfo.InvariantCulture);
        var x = input;
        if (expansion != 1)
            x = layers.ConvBn(x, $"{prefix}_expand", $"{prefix}_expand_BN", $"{prefix}_expand_relu",
                input.Shape.C * expansion, 1, 1, false, Activation.Relu6);
        expanded = x;
        x = layers.ConvBn(x, $"{prefix}_depthwise", $"{prefix}_depthwise_BN", $"{prefix}_depthwise_relu",
            x.Shape.C, 3, stride, true, Activation.Relu6);
        x = layers.ConvBn(x, $"{prefix}_project", $"{prefix}_project_BN", null, outC, 1, 1, false);
        return stride == 1 && input.Shape.C == outC ? layers.Graph.Add($"{prefix}_add", input, x) : x;
    }
}
