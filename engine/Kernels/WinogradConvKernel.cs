using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>A channel-packed (NC4HW4) 3x3 stride-1 convolution, dilated or not, as Winograd F(2x2, 3x3) or F(4x4, 3x3), three dispatches:
/// shaders/winograd_input.comp transforms the input tiles into the node's scratch region, a batched GEMM
/// (shaders/pointwise_conv_packed.comp with one weight set per tile position: Alpha² independent [tiles x InC] x
/// [InC x OutC] products, with that kernel's per-layer tiling) multiplies them by the filters transformed on the host
/// (<see cref="WinogradTransform.TransformFilters"/>; on a GPU, or where <see cref="KernelChoice.Gemm"/> asks
/// for it, the shared-memory GEMM of shaders/pointwise_conv_shared.comp instead), and shaders/winograd_output.comp transforms the products back,
/// adding the bias and the residual and applying the activation. The algorithm is chosen per layer by
/// <see cref="WinogradCost"/> unless <see cref="KernelChoice.Conv3x3"/> forces one.</summary>
internal static class WinogradConvKernel
{
    /// <summary>shaders/winograd_input.comp.</summary>
    public static readonly KernelId<WinogradInputConstants> InputId = new("winograd_input");
    /// <summary>shaders/winograd_output.comp.</summary>
    public static readonly KernelId<WinogradOutputConstants> OutputId = new("winograd_output");

    /// <summary>Whether the Winograd kernels run <paramref name="c"/>: 3x3, stride 1, one group, channel counts that are
    /// multiples of 4 (any padding: the input transform reads zeros outside the image; any dilation: a dilated layer is
    /// that many interleaved undilated ones, and each tile takes its pixels that far apart).</summary>
    public static bool Handles(Conv2dOp c) =>
        c.KernelH == 3 && c.KernelW == 3 && c.StrideH == 1 && c.StrideW == 1 && c.Groups == 1 &&
        c.InC % 4 == 0 && c.OutC % 4 == 0;

    /// <summary>The algorithm that runs <paramref name="c"/>: the forced one, or the cheapest by <see cref="WinogradCost"/>.</summary>
    public static Conv3x3Algorithm Algorithm(Conv2dOp c, KernelChoice choice, int activationBytes) =>
        choice.Conv3x3 != Conv3x3Algorithm.Auto ? choice.Conv3x3 : WinogradCost.Cheapest(c, activationBytes, DirectRunsPacked);

    // Auto chooses between the two Winograd forms: conv2d_packed's cost on 3x3 stride-1 layers is not in the cost model
    // yet (WinogradCost models it, uncalibrated), so Direct (conv2d_packed) runs only when KernelChoice forces it.
    private const bool DirectRunsPacked = false;

    /// <summary>Scratch elements per sample for <paramref name="c"/> (0 where it runs direct): the transformed input and
    /// the GEMM's products, Alpha² x tiles x (InC + OutC).</summary>
    public static long ScratchElements(Conv2dOp c, KernelChoice choice, int activationBytes) =>
        TransformOf(Algorithm(c, choice, activationBytes)) is { } t ? TransformedElements(c, t, c.InC) + TransformedElements(c, t, c.OutC) : 0;

    private static WinogradTransform? TransformOf(Conv3x3Algorithm a) => a switch
    {
        Conv3x3Algorithm.WinogradF2 => new WinogradTransform(2),
        Conv3x3Algorithm.WinogradF4 => new WinogradTransform(4),
        _ => null,
    };

    /// <summary>Elements per sample of <paramref name="channels"/> channels in the transformed domain.</summary>
    private static long TransformedElements(Conv2dOp c, WinogradTransform t, int channels)
    {
        var (th, tw) = t.TilesFor(c.Output.Shape.H, c.Output.Shape.W, c.DilationH, c.DilationW);
        return (long)t.Positions * th * tw * channels;
    }

    /// <param name="stored">The tensor that holds the output: its own, or the concatenation <see cref="ConcatPartWriteKernel"/>
    /// writes it into (the output transform's, retargeted there).</param>
    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, KernelChoice choice, Value? stored = null)
    {
        if (!Handles(op))
            throw new NotSupportedException($"{op}: Winograd needs a 3x3 stride-1 ungrouped convolution with channel counts that are multiples of 4");
        var algorithm = Algorithm(op, choice, ctx.ActivationBytes);
        if (TransformOf(algorithm) is not { } t)
            return [Conv2dSharedKernel.PlanDirect(op, ctx, choice)];
        if (t.Tile == 4 && ctx.ActivationBytes != 4)
            throw new NotSupportedException($"{op}: Winograd F(4x4, 3x3) needs fp32 activations: its transformed tiles, stored as fp16, " +
                "put the output 2e-2 to 6e-2 off (F(2x2, 3x3) 4e-3); use Conv3x3Algorithm.WinogradF2 or Auto");
        var scratch = ctx.Scratch(op);
        if (!ctx.TexelsReach(scratch))
            throw new NotSupportedException($"{op}: its Winograd tiles lie beyond the {ctx.TexelReachElements / 4} texels the device's texel buffers reach; " +
                "set KernelChoice.Conv3x3 = Direct or PassOptions.PackChannels = false");
        var o = op.Output.Shape;
        var (th, tw) = t.TilesFor(o.H, o.W, op.DilationH, op.DilationW);
        int tiles = th * tw;
        uint tilesIn = ctx.Offset(scratch);
        uint products = checked(tilesIn + (uint)(TransformedElements(op, t, op.InC) * ctx.Batch));
        var tilesInBytes = Range(ctx, tilesIn, TransformedElements(op, t, op.InC));
        var productBytes = Range(ctx, products, TransformedElements(op, t, op.OutC));
        var sets = t.TransformFilters(op.Weights, op.InC, op.OutC);
        // A GPU's classic tiled GEMM: each value fetched feeds a whole tile (on lavapipe texel gathers win).
        var gemm = choice.SharedMemoryGemm(ctx.DeviceKind)
            ? SharedGemm(op, ctx, sets, tiles, tilesIn, products, tilesInBytes, productBytes)
            : Gemm(op, ctx, sets, tiles, tilesIn, products, tilesInBytes, productBytes);
        return [Input(op, ctx, t, th, tw, tilesIn, tilesInBytes), gemm,
            Output(op, ctx, t, th, tw, products, productBytes, stored ?? op.Output)];
    }

    private static KernelDispatch Input(Conv2dOp op, KernelContext ctx, WinogradTransform t, int th, int tw, uint to, Vulkan.ByteRange writes)
    {
        var i = op.Input.Shape;
        int local = KernelContext.LocalSizeFor(th * tw);
        var spec = new WinogradInputConstants(local, i.C, i.H, i.W, op.Pad.Top, op.Pad.Left, th, tw, t.Tile, op.DilationH, op.DilationW);
        return KernelDispatch.Create(op.Name + " (winograd input)", InputId, spec, new PushOffsets(ctx.Offset(op.Input), 0, to, 0, 0),
            (KernelContext.Groups(th * tw, local), (uint)(i.C / 4), (uint)ctx.Batch), [ctx.Bytes(op.Input)], [writes]);
    }

    /// <summary>The batched GEMM: batch item z of the packed 1x1 kernel is (sample, position) = (z / Positions,
    /// z % Positions), its pixels the tiles, its weight set the position's transformed filters.</summary>
    private static KernelDispatch Gemm(Conv2dOp op, KernelContext ctx, float[][] sets, int tiles, uint from, uint to,
        Vulkan.ByteRange reads, Vulkan.ByteRange writes)
    {
        var tiling = PackedPointwiseTiling.For(op.InC, op.OutC, 1, Activation.None, tiles);
        int blocks = (op.OutC + tiling.OcTile - 1) / tiling.OcTile;
        var packed = sets.SelectMany(w => PointwiseConvTiledKernel.Repack(w, op.InC, op.OutC, tiling.OcTile, 0, blocks)).ToArray();
        uint weights = ctx.AddWeights(packed);
        if (!ctx.TexelsReach(weights, packed.Length))
            throw new NotSupportedException($"{op}: its Winograd filters lie beyond the {ctx.TexelReachElements / 4} texels the device's texel buffers reach");
        var spec = new PointwiseConvPackedConstants(tiling.LocalSize, op.InC, op.OutC, tiles, false, Activation.None, false,
            tiling.OcTile, tiling.Px, WeightSets: sets.Length);
        return KernelDispatch.Create(op.Name + " (winograd gemm)", PointwiseConvPackedKernel.Id, spec, new PushOffsets(from, 0, to, weights, 0),
            (tiling.GroupsX(tiles), (uint)blocks, (uint)(ctx.Batch * sets.Length)), [reads], [writes]);
    }

    /// <summary>The batched GEMM as shaders/pointwise_conv_shared.comp in its packed mode: workgroups of 32 output channels x
    /// 64 tiles of one (sample, position), the position's weight set chosen by z as in <see cref="Gemm"/>.</summary>
    private static KernelDispatch SharedGemm(Conv2dOp op, KernelContext ctx, float[][] sets, int tiles, uint from, uint to,
        Vulkan.ByteRange reads, Vulkan.ByteRange writes)
    {
        const int ocTile = PointwiseConvSharedKernel.OutputChannelTile, pxTile = PointwiseConvSharedKernel.PixelTile;
        var packed = sets.SelectMany(w => PointwiseConvSharedKernel.Repack(w, op.InC, op.OutC, ocTile, PointwiseConvSharedKernel.InputChannelSlice)).ToArray();
        uint weights = ctx.AddWeights(packed);
        var spec = new PointwiseConvSharedConstants(PointwiseConvSharedKernel.Invocations, op.InC, op.OutC, tiles, false, Activation.None, false,
            ocTile, pxTile, PointwiseConvSharedKernel.InputChannelSlice, Packed: true, WeightSets: sets.Length);
        return KernelDispatch.Create(op.Name + " (winograd gemm)", PointwiseConvSharedKernel.Id, spec, new PushOffsets(from, 0, to, weights, 0),
            (KernelContext.Groups(tiles, pxTile), KernelContext.Groups(op.OutC, ocTile), (uint)(ctx.Batch * sets.Length)), [reads], [writes]);
    }

    private static KernelDispatch Output(Conv2dOp op, KernelContext ctx, WinogradTransform t, int th, int tw, uint from, Vulkan.ByteRange reads,
        Value stored)
    {
        var o = op.Output.Shape;
        int local = KernelContext.LocalSizeFor(th * tw);
        var spec = new WinogradOutputConstants(local, o.C, o.H, o.W, th, tw, t.Tile, op.Bias is not null, op.Activation, op.Residual is not null,
            op.DilationH, op.DilationW);
        uint bias = ctx.AddWeights(op.Bias);
        var push = new PushOffsets(from, op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(stored), 0, bias);
        var residual = op.Residual is null ? [] : new[] { ctx.Bytes(op.Residual) };
        return KernelDispatch.Create(op.Name + " (winograd output)", OutputId, spec, push,
            (KernelContext.Groups(th * tw, local), (uint)(o.C / 4), (uint)ctx.Batch), [reads, .. residual], [ctx.Bytes(stored)]);
    }

    /// <summary>The arena bytes of <paramref name="perSample"/> elements per sample for the whole batch from element <paramref name="offset"/>.</summary>
    private static Vulkan.ByteRange Range(KernelContext ctx, uint offset, long perSample) =>
        new((ulong)offset * (ulong)ctx.ActivationBytes, (ulong)perSample * (ulong)ctx.Batch * (ulong)ctx.ActivationBytes);
}

/// <summary>The specialisation constants of shaders/winograd_input.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct WinogradInputConstants(
    int LocalSize, int InC, int InH, int InW, int PadT, int PadL, int TilesH, int TilesW, int Tile, int DilH, int DilW) : ISpecConstants;

/// <summary>The specialisation constants of shaders/winograd_output.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct WinogradOutputConstants(
    int LocalSize, int OutC, int OutH, int OutW, int TilesH, int TilesW, int Tile, GlslBool HasBias, Activation Act, GlslBool HasResidual,
    int DilH, int DilW, int OutStrideC4 = 0) : ISpecConstants;
