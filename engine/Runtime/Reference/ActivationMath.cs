using GpuMobileNet.Graph;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>The activation functions in double precision, shared by every reference op that fuses one.</summary>
internal static class ActivationMath
{
    /// <summary>The slope of <see cref="Activation.LeakyRelu"/> below zero (shaders/include/common.glsl's ACT_LEAKY_RELU).</summary>
    public const float LeakySlope = 0.1f;

    public static double Apply(double x, Activation act) => act switch
    {
        Activation.None => x,
        Activation.Relu => Math.Max(x, 0.0),
        Activation.Relu6 => Math.Min(Math.Max(x, 0.0), 6.0),
        Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
        Activation.HardSigmoid => Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0,
        Activation.HardSwish => x * Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0,
        Activation.Swish => x / (1.0 + Math.Exp(-x)),
        Activation.KerasHardSigmoid => Math.Min(Math.Max(x * 0.2 + 0.5, 0.0), 1.0),
        Activation.KerasHardSwish => x * Math.Min(Math.Max(x * 0.2 + 0.5, 0.0), 1.0),
        Activation.LeakyRelu => x > 0 ? x : LeakySlope * x,
        _ => throw new NotSupportedException($"activation {act} has no reference implementation"),
    };
}
