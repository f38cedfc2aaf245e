namespace GpuMobileNet.Kernels;

/// <summary>Which kernel variants a session may use; turning one off falls back to the simple kernel
/// (for comparisons in bench and tests). A fast variant is used only where it fits the layer.</summary>
internal sealed record KernelChoice(
    bool FastPointwise = true, bool FastDepthwise = true, bool FastConv = true, PointwiseVariant Pointwise = PointwiseVariant.Tiled)
{
    /// <summary>Only the simple (reference-like) kernels: no tiled, packed or fused variants.</summary>
    public static KernelChoice Simple { get; } = new(false, false, false);
}

/// <summary>Which fast 1x1 convolution runs when <see cref="KernelChoice.FastPointwise"/> is on. Where the chosen
/// one does not fit the device or the layer, <see cref="Tiled"/> runs instead.</summary>
internal enum PointwiseVariant
{
    /// <summary>pointwise_conv_tiled: every invocation reads its weights as uniforms (the default: fastest on
    /// lavapipe, and on GPUs a wave-uniform uniform read is a constant-cache broadcast or a scalar load).</summary>
    Tiled,
    /// <summary>pointwise_conv_subgroup: one lane in 8 loads each weight and subgroupBroadcast shares it.</summary>
    Subgroup,
    /// <summary>pointwise_conv_shared: a shared-memory tiled GEMM; each workgroup stages slices of inputs and
    /// weights in shared memory for its 32-channel x 64-pixel output tile. For GPUs (it does not pay on lavapipe).</summary>
    SharedMemory,
}
