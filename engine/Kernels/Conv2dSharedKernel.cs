using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d_shared.comp: <see cref="Conv2dPackedKernel"/>'s convolutions (any kernel size, stride, dilation,
/// padding and group count, NCHW or NC4HW4 in and out) as a shared-memory tiled implicit GEMM, for GPUs: a workgroup
/// stages slices of <see cref="PointwiseConvSharedKernel.InputChannelSlice"/> reduction rows (a group's input channels
/// at each tap, gathered as they are staged) of its <see cref="PointwiseConvSharedKernel.PixelTile"/> output pixels and
/// of its <see cref="PointwiseConvSharedKernel.OutputChannelTile"/> output channels' weights, as pointwise_conv_shared
/// does for a 1x1 (include/shared_gemm.glsl). One dispatch per layer.</summary>
internal static class Conv2dSharedKernel
{
    /// <summary>shaders/conv2d_shared.comp.</summary>
    public static readonly KernelId<Conv2dSharedConstants> Id = new("conv2d_shared");

    private const int OcTile = PointwiseConvSharedKernel.OutputChannelTile, PxTile = PointwiseConvSharedKernel.PixelTile,
        Slice = PointwiseConvSharedKernel.InputChannelSlice;

    /// <summary>The dispatch of a convolution that <see cref="Conv2dPackedKernel"/> runs: this kernel where
    /// <paramref name="choice"/> takes the shared-memory GEMMs on this device (<see cref="KernelChoice.SharedMemoryGemm"/>),
    /// else conv2d_packed.</summary>
    public static KernelDispatch PlanDirect(Conv2dOp op, KernelContext ctx, KernelChoice choice) =>
        choice.SharedMemoryGemm(ctx.DeviceKind) ? Plan(op, ctx) : Conv2dPackedKernel.Plan(op, ctx);

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        if (!Conv2dPackedKernel.Handles(op))
            throw new NotSupportedException($"{op}: conv2d_shared runs conv2d_packed's convolutions; not {op.InC} -> {op.OutC} channels " +
                $"in {op.Groups} groups from {op.Input.Layout} to {op.Output.Layout}");
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int ocG = op.OutC / op.Groups, blocks = (ocG + OcTile - 1) / OcTile;
        var spec = new Conv2dSharedConstants(PointwiseConvSharedKernel.Invocations, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW,
            op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left, op.DilationH, op.DilationW, op.Groups,
            op.Bias is not null, op.Activation, op.Residual is not null, OcTile, PxTile, Slice,
            op.Input.Layout == TensorLayout.Nc4hw4, op.Output.Layout == TensorLayout.Nc4hw4);
        uint weights = ctx.AddWeights(Repack(op.Weights, op.InC / op.Groups, op.OutC, op.Groups, op.KernelH * op.KernelW));
        uint bias = ctx.AddWeights(op.Bias);
        var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output), weights, bias);
        return KernelDispatch.Create(op.Name, Id, spec, push, (KernelContext.Groups(o.H * o.W, PxTile), (uint)(blocks * op.Groups), (uint)ctx.Batch),
            ConvDispatch.Reads(op.Input, op.Residual, ctx), [ctx.Bytes(op.Output)]);
    }

    /// <summary>OIHW weights as the shader reads them: per group, its output channels' filters with the taps outer
    /// (<see cref="Conv2dPackedKernel.TapsOuter"/>: row k = tap x <paramref name="icG"/> + input channel) transposed to
    /// [row][output channel] and padded with zeros to whole slices and tiles (<see cref="PointwiseConvSharedKernel.Repack"/>).</summary>
    internal static float[] Repack(float[] weights, int icG, int outC, int groups, int taps)
    {
        var filters = Conv2dPackedKernel.TapsOuter(weights, outC, icG, taps);
        int ocG = outC / groups, rows = icG * taps;
        return Enumerable.Range(0, groups)
            .SelectMany(g => PointwiseConvSharedKernel.Repack(filters[(g * ocG * rows)..((g + 1) * ocG * rows)], rows, ocG, OcTile, Slice))
            .ToArray();
    }
}

/// <summary>The specialisation constants of shaders/conv2d_shared.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct Conv2dSharedConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    int Dh, int Dw, int Groups, GlslBool HasBias, Activation Act, GlslBool HasResidual, int TileOc, int TilePx, int KSlice,
    GlslBool InPacked, GlslBool OutPacked) : ISpecConstants;
