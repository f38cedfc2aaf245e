using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>The kernel and pass variants bench compares side by side, in one place so new ones are one row.
/// The first row is the baseline the speedups are against; the default configuration should stay in the list.
/// Batch and profiling are set by bench, not here.</summary>
internal static class Variants
{
    public static IReadOnlyList<BenchVariant> All { get; } =
    [
        new("naive kernels, no passes", new SessionOptions { Kernels = KernelChoice.Simple, Passes = new PassOptions(false, false, false, false) }),
        new("naive kernels, passes", new SessionOptions { Kernels = KernelChoice.Simple }),
        new("fast kernels, passes (default)", new SessionOptions()),
    ];
}
