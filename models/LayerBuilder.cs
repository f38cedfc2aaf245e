using GpuMobileNet.Graph;

namespace GpuMobileNet.Models;

/// <summary>The conv → BatchNorm → activation unit both MobileNets are made of, named the Keras way
/// ("{name}", "{name}{bnSuffix}", "{name}{actSuffix}"), with weights from a <see cref="WeightInit"/>.</summary>
internal sealed class LayerBuilder(GraphBuilder builder, WeightInit weights)
{
    public GraphBuilder Graph => builder;

    /// <summary>Conv without bias (the BatchNorm supplies the shift), then BatchNorm, then the activation if any.
    /// Stride-2 convs use TF "same" padding (extra row/column at the bottom/right), stride 1 symmetric padding.</summary>
    public Value ConvBn(Value x, string name, string bnName, string? actName, int outC, int kernel, int stride,
        bool depthwise, Activation act = Activation.None)
    {
        var s = x.Shape;
        int groups = depthwise ? s.C : 1;
        var pad = stride == 1
            ? Padding.Symmetric(kernel / 2)
            : Padding.Same(s.H, s.W, kernel, kernel, stride, stride);
        var w = weights.ConvWeights(name, outC, s.C / groups, kernel, kernel);
        var y = builder.Conv2d(name, x, outC, kernel, stride, pad, groups, w);
        var bn = weights.BatchNorm(bnName, outC);
        y = builder.BatchNorm(bnName, y, bn.Gamma, bn.Beta, bn.Mean, bn.Variance, bn.Epsilon);
        return actName is null ? y : builder.Activate(actName, y, act);
    }

    /// <summary>Global average pool, dense classifier with bias, softmax.</summary>
    public ModelGraph Head(Value features, int classes)
    {
        var pooled = builder.GlobalAvgPool("global_average_pooling2d", features);
        int inF = pooled.Shape.C;
        var logits = builder.Dense("logits", pooled, classes,
            weights.DenseWeights("logits", classes, inF), weights.Bias("logits", classes));
        return builder.Build(builder.Softmax("predictions", logits));
    }

    public static void CheckArguments(double alpha, int resolution, int classes)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "width multiplier alpha must be positive");
        if (resolution < 32)
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "resolution must be at least 32 (the nets downsample by 32)");
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1");
    }
}
