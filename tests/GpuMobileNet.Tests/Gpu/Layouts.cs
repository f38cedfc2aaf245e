using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>Options that keep every tensor NCHW. The planar kernels' tests pin the layout: on CPU devices the
/// channel-packing pass runs by default and would send every shape whose channels are a multiple of 4 to the
/// packed kernels instead.</summary>
internal static class Layouts
{
    public static PassOptions PlanarPasses { get; } = new() { PackChannels = false };
    public static SessionOptions Planar { get; } = new() { Passes = PlanarPasses };
}
