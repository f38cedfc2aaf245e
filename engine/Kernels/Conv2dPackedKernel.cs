using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d_packed.comp: direct convolution on channel-packed (NC4HW4) tensors for any kernel size, stride,
/// dilation, padding and group count (ResNet's 3x3 and strided 1x1 convolutions), one dispatch per layer. An implicit
/// GEMM: per tap the packed 1x1 kernel's register tile (pixels x output channels, inputs and weights as texels), so it
/// takes that kernel's per-layer tiling with the group's input channels x taps as the reduction. Texels have no 64 KiB
/// window, so no filter size falls back to the naive kernel. Groups whose channel counts are not whole quads run padded
/// to quads (zero weights): a planar input is read 4 channels at a time, a planar output drops the padding channels
/// (SSD's 126-channel class heads, YOLO's 255-channel ones), so no channel count falls back to it either.</summary>
internal static class Conv2dPackedKernel
{
    /// <summary>shaders/conv2d_packed.comp.</summary>
    public static readonly KernelId<Conv2dPackedConstants> Id = new("conv2d_packed");

    /// <summary>Whether this kernel runs <paramref name="c"/> with its tensors in their current layouts: not a depthwise
    /// convolution, a 1x1 of whole quads or a packed grouped 1x1 (those have their own packed kernels); a packed input
    /// needs each group's input channels in whole quads, a packed output (and residual) its output channels.</summary>
    public static bool Handles(Conv2dOp c) => Runs(c) && TakesLayouts(c);

    /// <summary>Whether this kernel is the one for <paramref name="c"/> in some layout (see <see cref="Handles"/>).</summary>
    public static bool Runs(Conv2dOp c) =>
        !c.IsDepthwise && !PointwiseConvGroupedPackedKernel.Handles(c) && !(c.IsPointwise && c.Groups == 1 && c.InC % 4 == 0 && c.OutC % 4 == 0) &&
        c.InC % c.Groups == 0 && c.OutC % c.Groups == 0;

    /// <summary>Whether each group's input channels are whole quads, so the input can be read packed.</summary>
    public static bool ReadsPacked(Conv2dOp c) => c.InC / c.Groups % 4 == 0;

    /// <summary>Whether each group's output channels are whole quads, so the output can be written packed.</summary>
    public static bool WritesPacked(Conv2dOp c) => c.OutC / c.Groups % 4 == 0;

    private static bool TakesLayouts(Conv2dOp c) =>
        (c.Input.Layout == TensorLayout.Nchw || ReadsPacked(c)) && (c.Output.Layout == TensorLayout.Nchw || WritesPacked(c)) &&
        (c.Residual is null || c.Residual.Layout == c.Output.Layout);

    /// <param name="stored">The tensor that holds the output: its own, or the concatenation <see cref="ConcatPartWriteKernel"/>
    /// writes it into.</param>
    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx, Value? stored = null)
    {
        stored ??= op.Output;
        if (!Handles(op))
            throw new NotSupportedException($"{op}: conv2d_packed does not run {op.InC} -> {op.OutC} channels in {op.Groups} groups " +
                $"from {op.Input.Layout} to {op.Output.Layout} (packed tensors need each group's channel counts to be multiples of 4)");
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        bool inPlanar = op.Input.Layout == TensorLayout.Nchw, outPlanar = op.Output.Layout == TensorLayout.Nchw;
        int icG = op.InC / op.Groups, ocG = op.OutC / op.Groups, taps = op.KernelH * op.KernelW, hw = o.H * o.W;
        int icG4 = Quads(icG) * 4, ocG4 = Quads(ocG) * 4;
        var tiling = PackedPointwiseTiling.For(icG4 * taps, ocG4, op.Groups, op.Activation, hw, inPlanar ? 4 : 1);
        int blocks = (ocG4 + tiling.OcTile - 1) / tiling.OcTile;
        var spec = new Conv2dPackedConstants(tiling.LocalSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW,
            op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left, op.DilationH, op.DilationW, op.Groups,
            op.Bias is not null, op.Activation, op.Residual is not null, tiling.OcTile, tiling.Px, inPlanar, outPlanar);
        var filters = TapsOuter(PadInputChannels(op.Weights, op.OutC, icG, icG4, taps), op.OutC, icG4, taps);
        var packed = PointwiseConvGroupedPackedKernel.Repack(filters, icG4 * taps, ocG, op.Groups, tiling.OcTile, blocks);
        var bias = op.Bias is null ? null : PadGroups(op.Bias, op.Groups, ocG, ocG4);
        uint weights = ctx.AddWeights(packed);
        uint biasAt = ctx.AddWeights(bias);
        long end = bias is null ? weights + packed.Length : biasAt + bias.Length; // the bias follows the weights
        ctx.RequireTexels(op, weights, end - weights);
        var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(stored), weights, biasAt);
        return KernelDispatch.Create(op.Name, Id, spec, push, (tiling.GroupsX(hw), (uint)(blocks * op.Groups), (uint)ctx.Batch),
            ConvDispatch.Reads(op.Input, op.Residual, ctx), [ctx.Bytes(stored)]);
    }

    private static int Quads(int channels) => (channels + 3) / 4;

    /// <summary>OIHW weights with <paramref name="icG"/> input channels per group as <paramref name="icG4"/> (zero filters
    /// for the padding channels the shader reads from a planar input).</summary>
    internal static float[] PadInputChannels(float[] weights, int outC, int icG, int icG4, int taps)
    {
        if (icG == icG4) return weights;
        var padded = new float[(long)outC * icG4 * taps];
        for (int co = 0; co < outC; co++)
            Array.Copy(weights, (long)co * icG * taps, padded, (long)co * icG4 * taps, icG * taps);
        return padded;
    }

    /// <summary>Per-output-channel values with <paramref name="ocG"/> channels per group as <paramref name="ocG4"/>,
    /// zero for the padding channels: the shader reads a group's bias as whole quads.</summary>
    internal static float[] PadGroups(float[] values, int groups, int ocG, int ocG4)
    {
        if (ocG == ocG4) return values;
        var padded = new float[groups * ocG4];
        for (int g = 0; g < groups; g++) Array.Copy(values, g * ocG, padded, g * ocG4, ocG);
        return padded;
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
    int Dh, int Dw, int Groups, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int OcTile, int Px,
    GlslBool InPlanar = default, GlslBool OutPlanar = default, int OutStrideC4 = 0) : ISpecConstants;
