using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp: 1x1 convolution on channel-packed (NC4HW4) tensors, with
/// <see cref="PointwiseConvTiledKernel"/>'s tiling, weight layout and dispatch split (a split reduction takes
/// whole groups of 4 input channels). Runs every pointwise convolution the channel-packing pass packed.</summary>
public static class PointwiseConvPackedKernel
{
    public const string Shader = "pointwise_conv_packed";

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx)
    {
        if (op.InC % 4 != 0 || op.OutC % 4 != 0)
            throw new NotSupportedException($"{op}: channel-packed 1x1 convolution needs channel counts that are multiples of 4, got {op.InC} -> {op.OutC}");
        return PointwiseConvTiledKernel.Plan(op, ctx, Shader, chunkMultiple: 4);
    }
}
