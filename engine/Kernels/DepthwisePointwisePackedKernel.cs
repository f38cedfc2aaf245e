using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_pointwise_packed.comp: a packed depthwise convolution and the packed 1x1 that alone reads
/// it as one dispatch, the depthwise values computed in registers per block of output channels (no intermediate
/// tensor, one dispatch and one barrier fewer). The depthwise work is repeated once per block of output channels, so
/// <see cref="Pays"/> fuses only 1x1s whose outputs one invocation covers.</summary>
internal static class DepthwisePointwisePackedKernel
{
    /// <summary>shaders/depthwise_pointwise_packed.comp.</summary>
    public static readonly KernelId<DepthwisePointwisePackedConstants> Id = new("depthwise_pointwise_packed");

    /// <summary>The most output channels a fused pair may have: every invocation covers all of them (one block), so the
    /// depthwise values are computed once. With more, each block of output channels recomputed them and the pair ran no
    /// faster than the two dispatches and up to 1.9x slower (lavapipe, MobileNetV2's projections to 64-320 channels).</summary>
    public const int MaxOutputChannels = 32;

    /// <summary>Whether the kernel runs <paramref name="dw"/> → <paramref name="pw"/>: a packed depthwise convolution of
    /// 3x3 or 5x5 taps, stride 1 or 2, no residual, undilated, feeding a packed plain 1x1 (bias, activation and residual
    /// allowed) of more than one pixel (a 1x1 of one pixel runs on dense).</summary>
    public static bool Handles(Conv2dOp dw, Conv2dOp pw) =>
        dw.IsDepthwise && !dw.IsDilated && dw.Residual is null && dw.KernelH == dw.KernelW && dw.KernelH is 3 or 5 &&
        dw.StrideH == dw.StrideW && dw.StrideH is 1 or 2 && dw.InC % 4 == 0 &&
        KernelCapabilities.RunsOnPackedPointwise(pw) && pw.Input == dw.Output && pw.OutC % 4 == 0 && dw.Input.Layout == TensorLayout.Nc4hw4 &&
        (pw.Residual is null || pw.Residual.Layout == TensorLayout.Nc4hw4 && !pw.HasNarrowResidual);

    /// <summary>The most vec4 sums an invocation keeps: 32 (128 floats, the most NIR unrolls; see
    /// <see cref="PointwiseConvPackedKernel.OutputChannelTile"/>), 24 under an activation beyond ReLU6, whose code in
    /// the store loop takes the larger tile past what NIR unrolls.</summary>
    private static int MaxSums(Activation activation) =>
        PointwiseConvPackedKernel.HasShortCode(activation) ? 32 : 24;

    /// <summary>Whether fusing pays: the 1x1 has at most <see cref="MaxOutputChannels"/> outputs, so one block covers
    /// them and the depthwise values are computed once, and no intermediate tensor goes through memory.</summary>
    public static bool Pays(Conv2dOp dw, Conv2dOp pw) => pw.OutC <= MaxOutputChannels;

    /// <summary>Output pixels of a row per invocation: <see cref="DepthwiseConvPackedKernel.PixelsFor"/>'s, fewer where
    /// <paramref name="outC"/> sums per pixel would pass <see cref="MaxSums"/>.</summary>
    internal static int PixelsFor(int outW, int kernelW, int outC, Activation activation) =>
        Math.Max(1, Math.Min(DepthwiseConvPackedKernel.PixelsFor(outW, kernelW), MaxSums(activation) / (outC / 4)));

    /// <summary>The one dispatch of <paramref name="f"/>: depthwise filters (<see cref="DepthwiseConvPackedKernel.Pack"/>),
    /// then the 1x1's weights in blocks of the tile and its bias, all in one page.</summary>
    public static IReadOnlyList<KernelDispatch> Plan(DepthwisePointwiseOp f, KernelContext ctx)
    {
        var (dw, pw) = (f.Depthwise, f.Pointwise);
        if (!Handles(dw, pw))
            throw new NotSupportedException($"{f}: the fused depthwise + 1x1 kernel needs packed tensors, a 3x3 or 5x5 depthwise of stride 1 or 2 " +
                $"without residual and whole channel quads, got {dw} -> {pw}");
        var (i, o) = (dw.Input.Shape, pw.Output.Shape);
        // One block of all the output channels where they fit (Pays); a forced larger layer takes blocks of 16, 12 or 8.
        int tile = pw.OutC <= MaxOutputChannels ? pw.OutC : PointwiseConvPackedKernel.TileFor(pw.OutC, pw.Activation);
        int blocks = (pw.OutC + tile - 1) / tile;
        int px = PixelsFor(o.W, dw.KernelW, tile, pw.Activation);
        int work = o.H * ((o.W + px - 1) / px);
        int local = KernelContext.LocalSizeFor(work);
        var spec = new DepthwisePointwisePackedConstants(local, dw.InC, pw.OutC, i.H, i.W, o.H, o.W, dw.KernelH, dw.KernelW,
            dw.StrideH, dw.StrideW, dw.Pad.Top, dw.Pad.Left, dw.Activation, pw.Bias is not null, pw.Activation, pw.Residual is not null, tile, px);
        var filters = DepthwiseConvPackedKernel.Pack(dw);
        uint dwWeights = ctx.AddWeights(filters);
        var packed = PointwiseConvTiledKernel.Repack(pw.Weights, pw.InC, pw.OutC, tile, 0, blocks);
        uint pwWeights = ctx.AddWeights(packed);
        uint bias = ctx.AddWeights(pw.Bias);
        long end = pw.Bias is null ? pwWeights + packed.Length : bias + pw.OutC;
        ctx.RequireTexels(f, dwWeights, end - dwWeights);
        var push = new PushOffsets(ctx.Offset(f.Input), pw.Residual is null ? 0 : ctx.Offset(pw.Residual), ctx.Offset(f.Output), dwWeights, bias, pwWeights);
        return [KernelDispatch.Create(f.Name, Id, spec, push, (KernelContext.Groups(work, local), (uint)blocks, (uint)ctx.Batch),
            ConvDispatch.Reads(f.Input, pw.Residual, ctx), [ctx.Bytes(f.Output)])];
    }
}

/// <summary>The specialisation constants of shaders/depthwise_pointwise_packed.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct DepthwisePointwisePackedConstants(
    int LocalSize, int C, int OutC, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    Activation DwAct, GlslBool HasBias, Activation Act, GlslBool HasResidual, int OcTile, int Px) : ISpecConstants;
