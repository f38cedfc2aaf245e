namespace GpuMobileNet.Graph;

/// <summary>Element-wise activation applied by an op after its arithmetic (fusable into producers).
/// The numeric values are shared with the shaders' ACT specialization constant.</summary>
public enum Activation
{
    /// <summary>No activation: the value as computed.</summary>
    None = 0,
    /// <summary>max(x, 0).</summary>
    Relu = 1,
    /// <summary>min(max(x, 0), 6), MobileNet's activation.</summary>
    Relu6 = 2,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid = 3,
}
