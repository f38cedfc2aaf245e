using GpuMobileNet.Graph;

namespace GpuMobileNet.Import;

/// <summary>Ops of model formats that the engine runs as a few of its own, shared by the importers.</summary>
internal static class Decompositions
{
    /// <summary>clamp(alpha x + beta, 0, 1): our activation for MobileNetV3's (1/6, 1/2) and the default (1/5, 1/2), which
    /// fuses into the op before; else relu6(6 alpha x + 6 beta) / 6, two per-channel affine maps around a ReLU6, which
    /// the passes fold into the convolution before and run as a 1x1 depthwise after. The last op is named
    /// <paramref name="name"/>.</summary>
    public static Value HardSigmoid(GraphBuilder builder, NodeNames names, Value x, float alpha, float beta, string name)
    {
        if (HardSigmoidActivation(alpha, beta) is { } act) return builder.Activate(name, x, act);
        int ch = x.Shape.C;
        float[] Fill(float v) => Enumerable.Repeat(v, ch).ToArray();
        var scaled = builder.BatchNorm(names.Unique(name + "/affine"), x, Fill(6 * alpha), Fill(6 * beta), Fill(0), Fill(1), 0f);
        var clipped = builder.Activate(names.Unique(name + "/relu6"), scaled, Activation.Relu6);
        return builder.BatchNorm(name, clipped, Fill(1f / 6), Fill(0), Fill(0), Fill(1), 0f);
    }

    /// <summary>Our activation for clamp(alpha x + beta, 0, 1), or null: MobileNetV3's h-sigmoid (1/6, 1/2) and the
    /// default of ONNX, ncnn and Keras (1/5, 1/2).</summary>
    public static Activation? HardSigmoidActivation(float alpha, float beta) =>
        beta != 0.5f ? null : Math.Abs(alpha - 1f / 6) < 1e-6 ? Activation.HardSigmoid : Math.Abs(alpha - 0.2f) < 1e-6 ? Activation.KerasHardSigmoid : null;

    /// <summary>x * relu6(x + 3) / 6: x times its hard sigmoid (alpha 1/6, beta 1/2), our activation, named <paramref name="name"/>.</summary>
    public static Value HardSwish(GraphBuilder builder, Value x, string name) => builder.Activate(name, x, Activation.HardSwish);
}
