namespace GpuMobileNet.Kernels;

/// <summary>Which kernel variants a session may use; turning one off falls back to the simple kernel
/// (for comparisons in bench and tests). A fast variant is used only where it fits the layer. <see cref="Conv3x3"/>
/// forces the algorithm of the channel-packed 3x3 stride-1 convolutions (by default chosen per layer by cost);
/// <see cref="Gemm"/> the form of the dense convolutions' GEMMs (by default by device kind).
/// <see cref="Int8Weights"/>: whether channel-packed 1x1 convolutions and dense layers whose weights are int8 levels with
/// per-output scales keep them as int8 in the weight buffer (see <see cref="Kernels.Int8Weights"/>) or store them in fp32;
/// by default by device kind (<see cref="KeepsInt8Weights"/>).</summary>
internal sealed record KernelChoice(
    bool FastPointwise = true, bool FastDepthwise = true, bool FastConv = true, PointwiseVariant Pointwise = PointwiseVariant.Tiled,
    Conv3x3Algorithm Conv3x3 = Conv3x3Algorithm.Auto, GemmVariant Gemm = GemmVariant.Auto, bool? Int8Weights = null)
{
    /// <summary>Whether the dense convolutions run their shared-memory GEMMs on a device of <paramref name="kind"/>
    /// (<see cref="GemmVariant"/>).</summary>
    public bool SharedMemoryGemm(Vulkan.DeviceKind kind) =>
        Gemm == GemmVariant.SharedMemory ||
        Gemm == GemmVariant.Auto && kind is Vulkan.DeviceKind.DiscreteGpu or Vulkan.DeviceKind.IntegratedGpu;

    /// <summary>Whether int8-levelled weights stay int8 on a device of <paramref name="kind"/>: forced by
    /// <see cref="Int8Weights"/>, else on GPUs (a quarter of the weight bytes to fetch, the texture unit converts the snorm
    /// bytes for free) and not on CPU implementations: lavapipe converts each snorm texel in code, which made the packed
    /// 1x1 convolutions of ncnn's int8 models slower than the same layers with fp32 weights.</summary>
    public bool KeepsInt8Weights(Vulkan.DeviceKind kind) => Int8Weights ?? kind != Vulkan.DeviceKind.Cpu;

    /// <summary>This choice with the variants that pick among kernels of the same layouts left at their defaults: what
    /// a session compares with the default choice to decide whether the default layouts apply.</summary>
    public KernelChoice LayoutNeutral => this with { Conv3x3 = default, Gemm = default, Int8Weights = null };

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

/// <summary>How a channel-packed 3x3 stride-1 convolution runs (see <see cref="WinogradConvKernel"/>).</summary>
internal enum Conv3x3Algorithm
{
    /// <summary>Per layer, the cheapest by a cost model of the kernels calibrated on lavapipe.</summary>
    Auto,
    /// <summary>A direct convolution (9 multiply-adds per input channel and output value).</summary>
    Direct,
    /// <summary>Winograd F(2x2, 3x3): 4x4 input tiles, 16 multiplies per 2x2 outputs instead of 36 (2.25x fewer).</summary>
    WinogradF2,
    /// <summary>Winograd F(4x4, 3x3): 6x6 input tiles, 36 multiplies per 4x4 outputs instead of 144 (4x fewer), with larger
    /// rounding errors (its transforms multiply by up to 8 and 25).</summary>
    WinogradF4,
}

/// <summary>How the channel-packed dense convolutions multiply (the packed 1x1 of plain layers, conv2d_packed's layers,
/// the Winograd GEMM): register tiles reading texels, or a GPU's classic shared-memory tiled GEMM.</summary>
internal enum GemmVariant
{
    /// <summary>By device kind: shared memory on discrete and integrated GPUs, register tiles elsewhere (on lavapipe
    /// shared memory is ordinary memory and texel gathers win, see docs/measurements.md).</summary>
    Auto,
    /// <summary>pointwise_conv_packed, conv2d_packed and the Winograd GEMM on pointwise_conv_packed: register tiles of
    /// pixels x output channels, inputs and weights read as texels.</summary>
    Registers,
    /// <summary>pointwise_conv_shared (PACKED) and conv2d_shared: workgroup tiles staged in shared memory
    /// (include/shared_gemm.glsl).</summary>
    SharedMemory,
}
