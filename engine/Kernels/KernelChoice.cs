namespace GpuMobileNet.Kernels;

/// <summary>Which kernel variants a session may use; turning one off falls back to the simple kernel
/// (for comparisons in bench and tests). A fast variant is used only where it fits the layer.</summary>
public sealed record KernelChoice(bool FastPointwise = true, bool FastDepthwise = true, bool FastConv = true)
{
    public static KernelChoice Simple { get; } = new(false, false, false);
}
