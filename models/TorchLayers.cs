using GpuMobileNet.Graph;

namespace GpuMobileNet.Models;

/// <summary>The conv → BatchNorm → activation unit as the PyTorch reference implementations of ShuffleNet and
/// GhostNet build it: symmetric padding of kernel / 2 at every stride (Keras pads stride-2 convs bottom/right), any
/// group count, layers named "{name}", "{name}_bn", "{name}_relu".</summary>
internal sealed class TorchLayers(GraphBuilder builder, WeightInit weights)
{
    public GraphBuilder Graph => builder;
    public WeightInit Weights => weights;

    /// <summary>Conv + BN (+ ReLU). With seeded random weights, <paramref name="randomGain"/> scales the conv's weights,
    /// and a conv no ReLU follows is scaled by 1/sqrt(2): the random init's He scaling (variance 2 / fan-in) doubles the
    /// second moment for a ReLU to halve, and without that halving (linear convs, branches summed into a residual)
    /// 16 units grew the activations 1000-fold and saturated the softmax. Loaded weights are used as they are.</summary>
    public Value ConvBn(Value x, string name, int outC, int kernel, int stride, int groups, bool relu, double randomGain = 1)
    {
        var w = weights.ConvWeights(name, outC, x.Shape.C / groups, kernel, kernel);
        if (weights is RandomWeightInit)
        {
            float gain = (float)(relu ? randomGain : randomGain / Math.Sqrt(2));
            for (int i = 0; i < w.Length; i++) w[i] *= gain;
        }
        var y = builder.Conv2d(name, x, outC, kernel, stride, Padding.Symmetric(kernel / 2), groups, w);
        var bn = weights.BatchNorm(name + "_bn", outC);
        y = builder.BatchNorm(name + "_bn", y, bn.Gamma, bn.Beta, bn.Mean, bn.Variance, bn.Epsilon);
        return relu ? builder.Activate(name + "_relu", y, Activation.Relu) : y;
    }

    public Value Depthwise(Value x, string name, int kernel, int stride, bool relu = false, double randomGain = 1) =>
        ConvBn(x, name, x.Shape.C, kernel, stride, x.Shape.C, relu, randomGain);

    /// <summary>3x3 stride-2 max pooling with padding 1 (the ShuffleNets' stem).</summary>
    public Value MaxPool(Value x, string name) => builder.MaxPool(name, x, 3, 3, 2, 2, Padding.Symmetric(1));

    /// <summary>Global average pool, dense classifier with bias, softmax.</summary>
    public ModelGraph Head(Value features, int classes) => new LayerBuilder(builder, weights).Head(features, classes);
}
