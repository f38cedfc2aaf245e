using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Models;

/// <summary>MobileNetV1 (Howard et al. 2017, Table 1) as Keras builds it: a 3x3 stride-2 stem, 13 depthwise-
/// separable blocks (3x3 depthwise + BN + ReLU6, 1x1 pointwise + BN + ReLU6), global average pool, dense
/// classifier, softmax. Channels are int(c * alpha). ReLU6 (not the paper's ReLU) matches every released checkpoint.</summary>
internal static class MobileNetV1
{
    // (pointwise output channels, depthwise stride) of the 13 blocks.
    private static readonly (int Channels, int Stride)[] Blocks =
    [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ];

    public static ModelGraph Create(double alpha = 1.0, int resolution = 224, int classes = 1000, WeightInit? weights = null)
    {
        LayerBuilder.CheckArguments(alpha, resolution, classes);
        var builder = new GraphBuilder($"mobilenet_v1_{alpha:0.###}_{resolution}", new TensorShape(3, resolution, resolution));
        var layers = new LayerBuilder(builder, weights ?? WeightInit.Random(0));

        var x = layers.ConvBn(builder.Input, "conv1", "conv1_bn", "conv1_relu", Width(32, alpha), 3, 2, false, Activation.Relu6);
        for (int i = 0; i < Blocks.Length; i++)
        {
            var (channels, stride) = Blocks[i];
            string id = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            x = layers.ConvBn(x, $"conv_dw_{id}", $"conv_dw_{id}_bn", $"conv_dw_{id}_relu", x.Shape.C, 3, stride, true, Activation.Relu6);
            x = layers.ConvBn(x, $"conv_pw_{id}", $"conv_pw_{id}_bn", $"conv_pw_{id}_relu", Width(channels, alpha), 1, 1, false, Activation.Relu6);
        }
        return layers.Head(x, classes);
    }

    private static int Width(int channels, double alpha) => Math.Max(1, (int)(channels * alpha));
}
