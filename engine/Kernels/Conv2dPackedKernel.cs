using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d_packed.comp: direct convolution on channel-packed (NC4HW4) tensors for any kernel size, stride,
/// dilation, padding and group count whose groups hold whole channel quads (ResNet's 3x3 and strided 1x1 convolutions),
/// one dispatch per layer. An implicit GEMM: per tap the packed 1x1 kernel's register tile (pixels x output channels,
/// inputs and weights as texels), so it takes that kernel's per-layer tiling with the group's input channels x taps as
/// the reduction. Texels have no 64 KiB window, so no filter size falls back to the naive kernel.</summary>
internal static class Conv2dPackedKernel
{
    /// <summary>shaders/conv2d_packed.comp.</summary>
    public static readonly KernelId<Conv2dPackedConstants> Id = new("conv2d_packed");

    /// <summary>Whether this kernel runs <paramref name="c"/>: not a plain 1x1 or a depthwise convolution (those have their
    /// own packed kernels) nor a grouped 1x1 (pointwise_conv_grouped_packed), and every group's input and output channel
    /// counts are multiples of 4.</summary>
    public static bool Handles(Conv2dOp c) =>
        !c.IsPointwise && !c.IsDepthwise && !PointwiseConvGroupedPackedKernel.Handles(c) &&
        c.InC % c.Groups == 0 && c.OutC % c.Groups == 0 && c.InC / c.Groups % 4 == 0 && c.OutC / c.Groups % 4 == 0;

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        if (!Handles(op))
            throw new NotSupportedException($"{op}: channel-packed convolution needs each group's channel counts to be multiples of 4, got {op.InC} -> {op.OutC} in {op.Groups} groups");
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int icG = op.InC / op.Groups, ocG = op.OutC / op.Groups, taps = op.KernelH * op.KernelW, hw = o.H * o.W;
        var tiling = PackedPointwiseTiling.For(icG * taps, ocG, op.Groups, op.Activation, hw);
        int blocks = (ocG + tiling.OcTile - 1) / tiling.OcTile;
        var spec = new Conv2dPackedConstants(tiling.LocalSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW,
            op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left, op.DilationH, op.DilationW, op.Groups,
            op.Bias is not null, op.Activation, op.Residual is not null, tiling.OcTile, tiling.Px);
        var packed = PointwiseConvGroupedPackedKernel.Repack(TapsOuter(op.Weights, op.OutC, icG, taps), icG * taps, ocG, op.Groups,
            tiling.OcTile, blocks);
        uint weights = ctx.AddWeights(packed);
        uint bias = ctx.AddWeights(op.Bias);
        long end = op.Bias is null ? weights + packed.Length : bias + op.OutC; // the bias follows the weights
        ctx.RequireTexels(op, weights, end - weights);
        var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output), weights, bias);
        return KernelDispatch.Create(op.Name, Id, spec, push, (tiling.GroupsX(hw), (uint)(blocks * op.Groups), (uint)ctx.Batch),
            ConvDispatch.Reads(op.Input, op.Residual, ctx), [ctx.Bytes(op.Output)]);
    }

    /// <summary>OIHW weights ([outC][icG][taps]) as [outC][taps][icG]: each output channel's filter as the shader reduces
    /// it, tap by tap, the group's input channels within a tap.</summary>
    internal static float[] TapsOuter(float[] weights, int outC, int icG, int taps)
    {
        var reordered = new float[weights.Length];
        for (int co = 0; co < outC; co++)
            for (int ci = 0; ci < icG; ci++)
                for (int t = 0; t < taps; t++)
                    reordered[(co * taps + t) * icG + ci] = weights[(co * icG + ci) * taps + t];
        return reordered;
    }
}

/// <summary>The specialisation constants of shaders/conv2d_packed.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct Conv2dPackedConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    int Dh, int Dw, int Groups, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int OcTile, int Px) : ISpecConstants;
