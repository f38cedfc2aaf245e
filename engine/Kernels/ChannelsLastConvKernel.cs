using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp's NHWC_STORE build (pointwise_conv_packed_nhwc): the channel-packed 1x1 convolution of
/// <see cref="PointwiseConvPackedKernel"/> storing each pixel's first OUT_NHWC channels one after the other (NHWC) in place
/// of its packed quads (<see cref="ChannelsLastConvOp"/>), so no transpose or unpacking dispatch runs after it.</summary>
internal static class ChannelsLastConvKernel
{
    /// <summary>The packed kernel's dispatch for <paramref name="op"/>'s convolution, writing <paramref name="op"/>'s output.</summary>
    public static KernelDispatch Plan(ChannelsLastConvOp op, KernelContext ctx)
    {
        if (op.Conv.Residual is not null)
            throw new NotSupportedException($"{op}: a channels-last store takes no residual");
        return PointwiseConvPackedKernel.Plan(op.Conv, ctx, op.Conv.Input, op.Output, outNhwc: op.Output.Shape.W).Single();
    }
}
