using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv_transpose_packed.comp: transposed convolution as an implicit GEMM for any kernel, stride,
/// dilation, padding and group count, one dispatch per layer. The output is cut by phase (output row mod stride, column
/// mod stride): all pixels of a phase take the same taps, so each runs the packed 1x1 kernel's register tile (pixels x
/// output channels, inputs and weights as texels) once per tap of its phase, with that kernel's per-layer tiling.
/// Where the kernel equals the stride each phase has one tap: a 1x1 GEMM whose store is the depth-to-space write.
/// Layers with one output channel per group (depthwise; mobilenet_yolo's 2-to-1 upsampling) reduce over each group's few
/// inputs only, in whole output quads. Groups whose channel counts are not whole quads run padded to quads on planar
/// tensors (zero filters), as conv2d_packed's do.</summary>
internal static class ConvTransposePackedKernel
{
    /// <summary>shaders/conv_transpose_packed.comp.</summary>
    public static readonly KernelId<ConvTransposePackedConstants> Id = new("conv_transpose_packed");

    /// <summary>The most input channels per group of the channel-wise mode (each is a texel per pixel and tap held at once).</summary>
    public const int MaxChannelwiseInputs = 4;

    /// <summary>Whether the channel-wise mode runs <paramref name="op"/>: one output channel per group, 1 to
    /// <see cref="MaxChannelwiseInputs"/> inputs, output channels in whole quads (so the tensors can be packed).</summary>
    public static bool IsChannelwise(ConvTransposeOp op) =>
        op.Groups == op.Output.Shape.C && op.Groups % 4 == 0 && op.Input.Shape.C / op.Groups <= MaxChannelwiseInputs;

    /// <summary>Whether each group's input channels are whole quads, so the input can be read packed.</summary>
    public static bool ReadsPacked(ConvTransposeOp op) => IsChannelwise(op) || op.Input.Shape.C / op.Groups % 4 == 0;

    /// <summary>Whether each group's output channels are whole quads, so the output can be written packed.</summary>
    public static bool WritesPacked(ConvTransposeOp op) => IsChannelwise(op) || op.Output.Shape.C / op.Groups % 4 == 0;

    /// <summary>Whether this kernel runs <paramref name="op"/> with its tensors in their current layouts (the channel-wise
    /// mode only packed in and out).</summary>
    public static bool Handles(ConvTransposeOp op)
    {
        bool inPacked = op.Input.Layout == TensorLayout.Nc4hw4, outPacked = op.Output.Layout == TensorLayout.Nc4hw4;
        if (IsChannelwise(op)) return inPacked && outPacked;
        return (!inPacked || ReadsPacked(op)) && (!outPacked || WritesPacked(op));
    }

    /// <summary>The single dispatch that runs <paramref name="op"/>.</summary>
    public static KernelDispatch Plan(ConvTransposeOp op, KernelContext ctx)
    {
        if (!Handles(op))
            throw new NotSupportedException($"{op}: conv_transpose_packed does not run {op.Input.Shape.C} -> {op.Output.Shape.C} channels in " +
                $"{op.Groups} groups from {op.Input.Layout} to {op.Output.Layout} (packed tensors need each group's channel counts to be multiples of 4)");
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        bool channelwise = IsChannelwise(op);
        bool inPlanar = op.Input.Layout == TensorLayout.Nchw, outPlanar = op.Output.Layout == TensorLayout.Nchw;
        int icG = i.C / op.Groups, ocG = o.C / op.Groups, taps = op.KernelH * op.KernelW, phases = op.StrideH * op.StrideW;
        int icG4 = Quads(icG) * 4, ocG4 = Quads(ocG) * 4;
        int planeHw = Ceil(o.H, op.StrideH) * Ceil(o.W, op.StrideW);
        int tapsPerPhase = Ceil(op.KernelH, op.StrideH) * Ceil(op.KernelW, op.StrideW);
        var tiling = channelwise
            ? PackedPointwiseTiling.For(icG * tapsPerPhase, 4, o.C / 4 * phases, op.Activation, planeHw) with { OcTile = 4 }
            : PackedPointwiseTiling.For(icG4 * tapsPerPhase, ocG4, op.Groups * phases, op.Activation, planeHw, inPlanar ? 4 : 1);
        if (tiling.OcTile > ocG4) tiling = tiling with { OcTile = ocG4 }; // one quad per group: no zero filters beyond it
        int blocks = channelwise ? o.C / 4 : Ceil(ocG4, tiling.OcTile) * op.Groups;
        var spec = new ConvTransposePackedConstants(tiling.LocalSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW,
            op.StrideH, op.StrideW, op.DilationH, op.DilationW, op.PadTop, op.PadLeft, op.Groups, op.Bias is not null,
            tiling.OcTile, tiling.Px, inPlanar, outPlanar, channelwise, op.Activation);
        var packed = channelwise ? ChannelwiseQuads(op.Weights, o.C, icG, taps) : PackFilters(op, icG, ocG, icG4, tiling.OcTile, blocks / op.Groups);
        var bias = op.Bias is null || channelwise ? op.Bias : Conv2dPackedKernel.PadGroups(op.Bias, op.Groups, ocG, ocG4);
        uint weights = ctx.AddWeights(packed);
        uint biasAt = ctx.AddWeights(bias);
        long end = bias is null ? weights + packed.Length : biasAt + bias.Length; // the bias follows the weights
        ctx.RequireTexels(op, weights, end - weights);
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), weights, biasAt);
        return KernelDispatch.Create(op.Name, Id, spec, push, (tiling.GroupsX(planeHw), (uint)blocks, (uint)(ctx.Batch * phases)),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }

    private static int Quads(int channels) => Ceil(channels, 4);

    private static int Ceil(int a, int b) => (a + b - 1) / b;

    /// <summary>ONNX's [InC][OutC / groups][taps] as conv2d_packed's packing ([group][block][tap][input channel of the
    /// group, padded to quads][tile]): first as OIHW ([OutC][InC / groups][taps]), then as that kernel packs it.</summary>
    private static float[] PackFilters(ConvTransposeOp op, int icG, int ocG, int icG4, int tile, int blocksPerGroup)
    {
        int taps = op.KernelH * op.KernelW, outC = ocG * op.Groups;
        var oihw = new float[op.Weights.Length];
        for (int g = 0; g < op.Groups; g++)
            for (int ci = 0; ci < icG; ci++)
                for (int co = 0; co < ocG; co++)
                    Array.Copy(op.Weights, ((long)(g * icG + ci) * ocG + co) * taps, oihw, ((long)(g * ocG + co) * icG + ci) * taps, taps);
        var filters = Conv2dPackedKernel.TapsOuter(Conv2dPackedKernel.PadInputChannels(oihw, outC, icG, icG4, taps), outC, icG4, taps);
        return PointwiseConvGroupedPackedKernel.Repack(filters, icG4 * taps, ocG, op.Groups, tile, blocksPerGroup);
    }

    /// <summary>Weights of one output channel per group ([outC x icG inputs][1][taps]) as [output quad][tap][input of the
    /// group][4 output channels]: one texel per quad, tap and input.</summary>
    private static float[] ChannelwiseQuads(float[] weights, int outC, int icG, int taps)
    {
        var packed = new float[weights.Length];
        for (int c = 0; c < outC; c++)
            for (int j = 0; j < icG; j++)
                for (int t = 0; t < taps; t++)
                    packed[(((c / 4) * taps + t) * icG + j) * 4 + c % 4] = weights[(c * icG + j) * taps + t];
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/conv_transpose_packed.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct ConvTransposePackedConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw,
    int PadT, int PadL, int Groups, GlslBool HasBias, int OcTile, int Px, GlslBool InPlanar, GlslBool OutPlanar,
    GlslBool Channelwise, Activation Act) : ISpecConstants;
