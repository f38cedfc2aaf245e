using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>The kernel and pass variants bench compares side by side, in one place so new ones are one row.
/// The first row is the baseline the speedups are against (the foundation's unfused kernels); the default
/// configuration stays in the list. Batch and profiling are set by bench, not here.</summary>
internal static class Variants
{
    private static readonly PassOptions NoBlockFusion = new(FuseDepthwisePointwise: false, FuseInvertedResidual: false);
    private static readonly PassOptions Planar = NoBlockFusion with { PackChannels = false };

    public static IReadOnlyList<BenchVariant> All { get; } =
    [
        new("naive kernels, passes, no block fusion", new SessionOptions { Kernels = KernelChoice.Simple, Passes = Planar }),
        new("naive kernels, no passes", new SessionOptions { Kernels = KernelChoice.Simple, Passes = PassOptions.None }),
        new("fast kernels, NCHW, no block fusion", new SessionOptions { Passes = Planar }),
        new("fast kernels, NCHW, subgroup-shared pointwise weights", new SessionOptions { Passes = Planar, Kernels = new KernelChoice(Pointwise: PointwiseVariant.Subgroup) }),
        new("fast kernels, NCHW, shared-memory pointwise GEMM", new SessionOptions { Passes = Planar, Kernels = new KernelChoice(Pointwise: PointwiseVariant.SharedMemory) }),
        new("fast kernels, channel-packed NC4HW4", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true } }),
        new("fast kernels + fused dw+pw", new SessionOptions { Passes = NoBlockFusion with { FuseDepthwisePointwise = true } }),
        new("fast kernels + fused inverted residual", new SessionOptions { Passes = NoBlockFusion with { FuseInvertedResidual = true } }),
        new("fast kernels + both fusions", new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) }),
        new("channel-packed, SE product as its own pass (no gated read)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FuseChannelGate = false } }),
        new("channel-packed, SE gate as one dispatch (squeeze_excite)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FuseSqueezeExcite = true } }),
        new("channel-packed, splits and concatenations as copies (no channel views)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FoldChannelViews = false } }),
        // ncnn's int8 models only (elsewhere this row equals "channel-packed"): their 1x1 weights stored as fp32, not int8.
        new("channel-packed, int8 weights stored dequantised (fp32)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Int8Weights: false) }),
        // Networks with 3x3 stride-1 convolutions (ResNet, VGG) only; the MobileNets have none, so these rows equal "channel-packed".
        new("channel-packed, 3x3 convolutions as Winograd F(2x2, 3x3)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2) }),
        new("channel-packed, 3x3 convolutions as Winograd F(4x4, 3x3)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF4) }),
        new("default", new SessionOptions()),
        new("default, fp16 storage", new SessionOptions { Precision = Precision.Float16Storage }),
        new("default, fp16 arithmetic", new SessionOptions { Precision = Precision.Float16 }),
    ];
}
