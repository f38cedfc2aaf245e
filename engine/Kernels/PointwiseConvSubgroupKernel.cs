using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_subgroup.comp: <see cref="PointwiseConvTiledKernel"/>'s tiling, weight layout
/// and dispatch split, but each weight is loaded by one lane of a subgroup and broadcast to the others, so a
/// subgroup of 8 does one weight load where the tiled kernel does eight.</summary>
public static class PointwiseConvSubgroupKernel
{
    /// <summary>shaders/pointwise_conv_subgroup.comp.</summary>
    public static readonly KernelId<PointwiseConvTiledConstants> Id = new("pointwise_conv_subgroup");

    /// <summary>Input channels whose weights one subgroup shares per step: the shader broadcasts from lanes 0..7.</summary>
    public const int SharedChannels = 8;

    /// <summary>The device broadcasts within subgroups of at least <see cref="SharedChannels"/> invocations. Then
    /// lanes 0..7 of every subgroup exist: workgroup sizes are multiples of 8 (KernelContext.LocalSizeFor), so even
    /// a workgroup's last, partial subgroup has at least 8.</summary>
    public static bool Fits(Conv2dOp op, KernelContext ctx) =>
        ctx.BroadcastSubgroupSize >= SharedChannels && PointwiseConvTiledKernel.Fits(op, ctx);

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx) => PointwiseConvTiledKernel.Plan(op, ctx, Id);
}
