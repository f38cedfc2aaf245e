using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp with GATED on: the channel-packed 1x1 convolution of
/// <see cref="PointwiseConvPackedKernel"/> reading its input scaled per channel by a squeeze-and-excite gate
/// (<see cref="GatedPointwiseOp"/>), one vec4 multiply per input texel and the op's gate activation, so no separate product or
/// activation pass runs.</summary>
internal static class GatedPointwiseConvKernel
{
    /// <summary>The dispatch of the packed kernel for <paramref name="op"/>'s convolution, with the gate's offset in
    /// push constant aux0 and the gate among the bytes it reads.</summary>
    public static KernelDispatch Plan(GatedPointwiseOp op, KernelContext ctx)
    {
        var gate = op.Gate.Shape;
        if (gate.C != op.Conv.InC || gate.H != 1 || gate.W != 1)
            throw new NotSupportedException($"{op}: the gate '{op.Gate.Name}' is {gate}; it must be {op.Conv.InC}x1x1");
        if (!ctx.TexelsReach(op.Gate))
            throw new NotSupportedException($"{op}: the gate '{op.Gate.Name}' lies beyond the texels the device's texel buffers reach; set PassOptions.PackChannels = false");
        var plain = PointwiseConvPackedKernel.Plan(op.Conv, ctx).Single();
        var constants = (PointwiseConvPackedConstants)plain.Constants with { Gated = true, GateAct = op.GateActivation };
        return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.IdFor(constants), constants, plain.Push with { Aux0 = ctx.Offset(op.Gate) },
            plain.Groups, [.. plain.Reads, ctx.Bytes(op.Gate)], plain.Writes);
    }
}
