using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp: 1x1 convolution on channel-packed (NC4HW4) tensors, one dispatch
/// per layer. Inputs and weights are read as texel buffers, which have no 64 KiB window, so unlike
/// <see cref="PointwiseConvTiledKernel"/> no layer is split into dispatches and no reduction goes through memory.
/// Runs every pointwise convolution the channel-packing pass packed, each with the tiling
/// <see cref="PackedPointwiseTiling.For"/> picks for its shape.</summary>
internal static class PointwiseConvPackedKernel
{
    /// <summary>shaders/pointwise_conv_packed.comp.</summary>
    public static readonly KernelId<PointwiseConvPackedConstants> Id = new("pointwise_conv_packed");

    /// <summary>The same source built with NARROW_RESIDUAL (shaders/Shaders.targets): a residual of RES_C4 quads, fewer
    /// than the output's. Kernels of their own because that code in the common one's store loop stopped NIR unrolling
    /// its tile: every packed 1x1 ran 6-8x slower on lavapipe.</summary>
    public static readonly KernelId<PointwiseConvPackedConstants> NarrowResidualId = new("pointwise_conv_packed_narrow_residual");

    /// <summary>The same source built with NHWC_STORE: the first OUT_NHWC channels stored channels-last.</summary>
    public static readonly KernelId<PointwiseConvPackedConstants> ChannelsLastId = new("pointwise_conv_packed_nhwc");

    /// <summary>The kernel that runs <paramref name="k"/>: <see cref="NarrowResidualId"/> or <see cref="ChannelsLastId"/>
    /// where it reads a narrower residual or stores channels-last, else <see cref="Id"/> (which has no such constants).</summary>
    public static KernelId<PointwiseConvPackedConstants> IdFor(PointwiseConvPackedConstants k) =>
        k.ResC4 > 0 && k.OutNhwc > 0 ? throw new NotSupportedException("a channels-last store takes no residual")
        : k.ResC4 > 0 ? NarrowResidualId : k.OutNhwc > 0 ? ChannelsLastId : Id;

    /// <summary>Output channels per invocation (a multiple of 4), unless a smaller tile wastes fewer channels (see
    /// <see cref="TileFor"/>). With <see cref="PixelsPerInvocation"/> this is about the largest tile NIR still
    /// unrolls on its own: measured on MobileNetV2-1.0-224, all pointwise layers, one llvmpipe thread, runs interleaved,
    /// 16 x 8 pixels 23-25 ms, 12 x 8 23-24, 12 x 10 23, 16 x 6 26, 16 x 4 26-29, 8 x 12 27-28, 8 x 16 27-28; at
    /// more than 128 sums per invocation (16 x 10, 20 x 8, 16 x 12) NIR no longer unrolls the tile, the sums go to
    /// scratch memory and the layers take 280-340 ms.</summary>
    public const int OutputChannelTile = 16;
    /// <summary>Pixels per invocation of the 16-channel tile (<see cref="PackedPointwiseTiling"/> takes 4 to this many,
    /// fewer where a small plane would leave pixel slots empty, and up to 128 sums' worth with narrower tiles and short
    /// activations). Each weight texel fetched feeds this many pixels, each input texel
    /// <see cref="OutputChannelTile"/> channels; per 4 input channels that is 16 weight and 8 input fetches, which
    /// with the stores cost more than the multiply-adds on lavapipe (see docs/measurements.md).</summary>
    public const int PixelsPerInvocation = 8;

    /// <summary>The output-channel tile for <paramref name="outC"/> channels: of 16, 12 and 8, the one that pads
    /// the fewest channels, the largest on a tie (24 channels: 12, not 16 with a third of the work wasted). With an
    /// activation beyond ReLU6 (sigmoid, h-sigmoid, h-swish) 16 is left out: their code in the store loop takes the
    /// 16 x 8 tile past what NIR unrolls, and the layer ran 5-15x slower (MobileNetV3-Large-1.0-224 on lavapipe:
    /// the h-swish expansions at 2.5 GFLOP/s, the network 86 ms of GPU time; with 12 at these layers 24 GFLOP/s and
    /// 40 ms, runs interleaved; a cheaper h-swish formula with 16 still took 197 ms where 16 took 227 under load).
    /// Likewise for the narrow-residual and channels-last builds' store code (<paramref name="longStore"/>; with 16 x 8
    /// BlazeFace's 1x1s ran at 1.5-2 GFLOP/s).</summary>
    public static int TileFor(int outC, Graph.Activation activation = Graph.Activation.None, bool longStore = false)
    {
        int[] tiles = !longStore && HasShortCode(activation)
            ? [OutputChannelTile, 12, 8]
            : [12, 8];
        return tiles.OrderBy(t => (outC + t - 1) / t * t).ThenByDescending(t => t).First();
    }

    /// <summary>Whether <paramref name="activation"/>'s code in a store loop is short enough for the largest register
    /// tiles to stay unrolled (none, ReLU, ReLU6, leaky ReLU; see <see cref="TileFor"/>).</summary>
    public static bool HasShortCode(Graph.Activation activation) =>
        activation is Graph.Activation.None or Graph.Activation.Relu or Graph.Activation.Relu6 or Graph.Activation.LeakyRelu;

    /// <param name="int8Weights">Keep the weights as int8 where they are int8 levels with per-output scales
    /// (<see cref="Int8Weights"/>), as ncnn's int8 models' are.</param>
    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, bool int8Weights = false) =>
        Plan(op, ctx, op.Input, op.Output, int8Weights);

    /// <summary>The dispatch for <paramref name="op"/>'s weights and shapes reading <paramref name="input"/> and writing
    /// <paramref name="output"/> (<see cref="MappedConvKernel"/>: tensors wider than the convolution's).</summary>
    /// <param name="outNhwc">Store the first this many channels channels-last (<see cref="ChannelsLastConvKernel"/>).</param>
    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, Value input, Value output, bool int8Weights = false, int outNhwc = 0)
    {
        if (op.InC % 4 != 0 || op.OutC % 4 != 0)
            throw new NotSupportedException($"{op}: channel-packed 1x1 convolution needs channel counts that are multiples of 4, got {op.InC} -> {op.OutC}");
        int hw = op.Output.Shape.H * op.Output.Shape.W;
        int maxSums = outNhwc > 0 ? 64 : op.HasNarrowResidual ? 96 : 0; // the derived builds: see PackedPointwiseTiling.For
        var tiling = PackedPointwiseTiling.For(op.InC, op.OutC, 1, op.Activation, hw, widePixels: maxSums == 0, maxSums: maxSums);
        int tile = tiling.OcTile, px = tiling.Px, local = tiling.LocalSize;
        int blocks = (op.OutC + tile - 1) / tile;
        var packed = PointwiseConvTiledKernel.Repack(op.Weights, op.InC, op.OutC, tile, 0, blocks);
        // Packed element i is output channel (i / (InC x tile)) x tile + i % tile.
        var int8 = int8Weights ? Int8Weights.Block(op.Weights, op.InC, packed, blocks * tile, i => i / (op.InC * tile) * tile + i % tile, ctx) : null;
        var spec = new PointwiseConvPackedConstants(
            local, op.InC, op.OutC, hw, op.Bias is not null, op.Activation, op.Residual is not null, tile, px, Int8Weights: int8 is not null,
            ResC4: op.HasNarrowResidual ? op.Residual!.Shape.C / 4 : 0, OutNhwc: outNhwc);
        if (int8 is not null) packed = int8;
        uint weights = ctx.AddWeights(packed);
        uint bias = ctx.AddWeights(op.Bias);
        long end = op.Bias is null ? weights + packed.Length : bias + op.OutC; // the bias follows the weights
        ctx.RequireTexels(op with { Input = input }, weights, end - weights);
        var push = new PushOffsets(ctx.Offset(input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(output), weights, bias);
        return [KernelDispatch.Create(op.Name, IdFor(spec), spec, push,
            (tiling.GroupsX(hw), (uint)blocks, (uint)ctx.Batch), ConvDispatch.Reads(input, op.Residual, ctx), [ctx.Bytes(output)])];
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv_packed.comp, in constant_id order (named as the shader names them);
/// the last two only in its NARROW_RESIDUAL and NHWC_STORE builds.</summary>
internal readonly record struct PointwiseConvPackedConstants(
    int LocalSize, int InC, int OutC, int Hw, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int OcTile,
    int Px, GlslBool Gated = default, GlslBool Gather = default, int InStrideC4 = 0, GlslBool Scatter = default, int OutStrideC4 = 0, int WeightSets = 1,
    Graph.Activation GateAct = default, GlslBool Int8Weights = default, int ResC4 = 0, int OutNhwc = 0) : ISpecConstants;
