namespace GpuMobileNet.Graph;

/// <summary>Element-wise activation applied by an op after its arithmetic (fusable into producers).
/// The numeric values are shared with the shaders' ACT specialization constant.</summary>
public enum Activation
{
    None = 0,
    Relu = 1,
    Relu6 = 2,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid = 3,
}
