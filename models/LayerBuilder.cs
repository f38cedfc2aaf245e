using GpuMobileNet.Graph;

namespace GpuMobileNet.Models;

/// <summary>The conv → BatchNorm → activation unit both MobileNets are made of, named the Keras way
/// ("{name}", "{name}{bnSuffix}", "{name}{actSuffix}"), with weights from a <see cref="WeightInit"/>.</summary>
internal sealed class LayerBuilder(GraphBuilder builder, WeightInit weights)
{
    public GraphBuilder Graph => builder;

    /// <summary>Where the layers' weights come from.</summary>
    public WeightInit Weights => weights;

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

    /// <summary>Largest width multiplier: the papers stop at 1.4; 4 still builds a network in seconds.</summary>
    public const double MaxAlpha = 4.0;

    /// <summary>Largest input resolution: 4096x4096 is already a 200-megapixel tensor per sample at the stem.</summary>
    public const int MaxResolution = 4096;

    /// <summary>Most classes: ImageNet-21k has 21,843; 100,000 keeps a 1280-wide classifier at 512 MB.</summary>
    public const int MaxClasses = 100_000;

    // Checked before anything is built, naming the option: an alpha of 1000 used to take 8 GB and 86 s before
    // failing with an arithmetic overflow, a resolution of 100000 failed with no name at all.
    public static void CheckArguments(double alpha, int resolution, int classes)
    {
        if (!(alpha > 0 && alpha <= MaxAlpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"width multiplier alpha {alpha} is out of range: it must be > 0 and <= {MaxAlpha}");
        if (resolution is < 32 or > MaxResolution)
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution,
                $"resolution {resolution} is out of range 32..{MaxResolution} (the nets downsample by 32)");
        if (classes is < 1 or > MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes {classes} is out of range 1..{MaxClasses}");
    }
}
