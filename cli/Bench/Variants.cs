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
        new("channel-packed, depthwise and 1x1 as separate dispatches (no packed dw+pw fusion)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FusePackedDepthwisePointwise = false } }),
        new("channel-packed, SE product as its own pass (no gated read)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FuseChannelGate = false } }),
        new("channel-packed, SE gate as one dispatch (squeeze_excite)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FuseSqueezeExcite = true } }),
        new("channel-packed, SE convolutions as one dispatch after the pool (squeeze_excite)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FuseExcitation = true } }),
        new("channel-packed, splits and concatenations as copies (no channel views)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true, FoldChannelViews = false } }),
        // ncnn's int8 models only (elsewhere these rows equal "channel-packed"): their 1x1 and dense weights stored as int8
        // or as fp32; the default picks by device kind, so one of these rows is the default's.
        new("channel-packed, int8 weights kept int8 (GPUs' default)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Int8Weights: true) }),
        new("channel-packed, int8 weights stored dequantised (fp32; CPU devices' default)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Int8Weights: false) }),
        // Networks with 3x3 stride-1 convolutions (ResNet, VGG) only; the MobileNets have none, so these rows equal "channel-packed".
        new("channel-packed, 3x3 convolutions as Winograd F(2x2, 3x3)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2) }),
        new("channel-packed, 3x3 convolutions as Winograd F(4x4, 3x3)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF4) }),
        // The dense convolutions' GEMMs (the packed 1x1, conv2d_packed's layers, the Winograd GEMM) in each form; the
        // default picks by device kind (shared memory on GPUs), so one of these rows is the default's and the other the variant.
        new("channel-packed, register-tile GEMMs (CPU devices' default)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Gemm: GemmVariant.Registers) }),
        new("channel-packed, shared-memory GEMMs (GPUs' default)", new SessionOptions { Passes = NoBlockFusion with { PackChannels = true }, Kernels = new KernelChoice(Gemm: GemmVariant.SharedMemory) }),
        new("default", new SessionOptions()),
        new("default, fp16 storage", new SessionOptions { Precision = Precision.Float16Storage }),
        new("default, fp16 arithmetic", new SessionOptions { Precision = Precision.Float16 }),
    ];

    /// <summary>The rows whose name contains one of <paramref name="words"/> (comma-separated, case-insensitive): gmn bench's
    /// --variant.</summary>
    /// <exception cref="UsageException">No words, or a word that names no row (the message lists the rows).</exception>
    public static IReadOnlyList<BenchVariant> Matching(string words)
    {
        var list = words.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0) throw new UsageException("--variant: give at least one word, e.g. GEMMs,default");
        bool Names(BenchVariant v, string w) => v.Name.Contains(w, StringComparison.OrdinalIgnoreCase);
        foreach (var w in list)
            if (!All.Any(v => Names(v, w)))
                throw new UsageException($"--variant '{w}' names no variant row; the rows: {string.Join("; ", All.Select(v => v.Name))}");
        return All.Where(v => list.Any(w => Names(v, w))).ToList();
    }
}
