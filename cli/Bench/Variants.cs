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

    public static IReadOnlyList<BenchVariant> All { get; } =
    [
        new("naive kernels, passes, no block fusion", new SessionOptions { Kernels = KernelChoice.Simple, Passes = NoBlockFusion }),
        new("naive kernels, no passes", new SessionOptions { Kernels = KernelChoice.Simple, Passes = PassOptions.None }),
        new("fast kernels, no block fusion", new SessionOptions { Passes = NoBlockFusion }),
        new("fast kernels, subgroup-shared pointwise weights", new SessionOptions { Passes = NoBlockFusion, Kernels = new KernelChoice(Pointwise: PointwiseVariant.Subgroup) }),
        new("fast kernels, shared-memory pointwise GEMM", new SessionOptions { Passes = NoBlockFusion, Kernels = new KernelChoice(Pointwise: PointwiseVariant.SharedMemory) }),
        new("fast kernels + fused dw+pw", new SessionOptions { Passes = NoBlockFusion with { FuseDepthwisePointwise = true } }),
        new("fast kernels + fused inverted residual", new SessionOptions { Passes = NoBlockFusion with { FuseInvertedResidual = true } }),
        new("fast kernels + both fusions", new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) }),
        new("default", new SessionOptions()),
        new("default, fp16 storage", new SessionOptions { Precision = Precision.Float16Storage }),
        new("default, fp16 arithmetic", new SessionOptions { Precision = Precision.Float16 }),
    ];
}
