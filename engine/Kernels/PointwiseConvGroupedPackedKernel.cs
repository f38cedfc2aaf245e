using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_grouped_packed.comp: grouped 1x1 convolution on channel-packed (NC4HW4) tensors, one
/// dispatch per layer, optionally reading its input through a channel shuffle (<see cref="ShuffledReadConvOp"/>). The
/// tiling of <see cref="PointwiseConvPackedKernel"/> (16 x 8 is the largest tile NIR unrolls; see its comments), with
/// the output blocks of each group along the grid's y axis. The planar grouped kernel ran ShuffleNetV1's layers at
/// 2-3 GFLOP/s with layout conversions around them (docs/measurements.md).</summary>
internal static class PointwiseConvGroupedPackedKernel
{
    /// <summary>shaders/pointwise_conv_grouped_packed.comp.</summary>
    public static readonly KernelId<PointwiseConvGroupedPackedConstants> Id = new("pointwise_conv_grouped_packed");

    /// <summary>Whether this kernel runs <paramref name="c"/> once its tensors are packed: a grouped (not depthwise) 1x1
    /// stride-1 unpadded convolution with input and output channel counts that are multiples of 4 (groups of whole
    /// quads, or <see cref="IsRagged">ragged</see> ones).</summary>
    public static bool Handles(Conv2dOp c) =>
        c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero && c.Groups > 1 && !c.IsDepthwise &&
        c.InC % 4 == 0 && c.OutC % 4 == 0;

    /// <summary>Whether a group's input or output channel count is not a multiple of 4 (ShuffleNetV1 g = 4: 17 and 68):
    /// then output blocks run over all channels and read the input quads covering their groups, zero weights between
    /// groups (at most about twice the multiply-adds in a block that straddles two groups).</summary>
    public static bool IsRagged(Conv2dOp c) => c.InC / c.Groups % 4 != 0 || c.OutC / c.Groups % 4 != 0;

    /// <summary>The dispatch for <paramref name="op"/>, reading <paramref name="shuffledInput"/> through a shuffle of
    /// <paramref name="shuffleGroups"/> groups when given (then op.Input is the shuffled tensor no op writes, and
    /// <paramref name="node"/>, the node whose tensors are stored, is the <see cref="ShuffledReadConvOp"/>), writing
    /// <paramref name="stored"/> when given (the concatenation <see cref="ConcatPartWriteKernel"/> writes it into).</summary>
    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx, Node? node = null, Value? shuffledInput = null, int shuffleGroups = 1,
        Value? stored = null)
    {
        stored ??= op.Output;
        if (!Handles(op))
            throw new NotSupportedException($"{op}: channel-packed grouped 1x1 convolution needs channel counts that are multiples of 4, got {op.InC} -> {op.OutC} in {op.Groups} groups");
        var input = shuffledInput ?? op.Input;
        int icG = op.InC / op.Groups, ocG = op.OutC / op.Groups;
        bool ragged = IsRagged(op);
        int hw = op.Output.Shape.H * op.Output.Shape.W;
        int inputFetches = shuffleGroups > 1 ? 4 : 1; // through a shuffle, one fetch per channel
        var tiling = ragged
            ? PackedPointwiseTiling.For(2 * icG, op.OutC, 1, op.Activation, hw, inputFetches, widePixels: true) // a block reads about 2 groups
            : PackedPointwiseTiling.For(icG, ocG, op.Groups, op.Activation, hw, inputFetches, widePixels: true);
        int tile = tiling.OcTile, px = tiling.Px, local = tiling.LocalSize;
        int blocks = ragged ? (op.OutC + tile - 1) / tile : (ocG + tile - 1) / tile * op.Groups;
        int raggedQuads = ragged ? Enumerable.Range(0, blocks).Max(b => InputQuads(op, tile, b).Count) : 1;
        var spec = new PointwiseConvGroupedPackedConstants(local, op.InC, op.OutC, hw, op.Groups, op.Bias is not null, op.Activation,
            op.Residual is not null, tile, px, shuffleGroups, ragged, raggedQuads);
        var packed = ragged ? RepackRagged(op, tile, blocks, raggedQuads) : Repack(op.Weights, icG, ocG, op.Groups, tile, blocks / op.Groups);
        uint weights = ctx.AddWeights(packed);
        uint bias = ctx.AddWeights(op.Bias);
        long end = op.Bias is null ? weights + packed.Length : bias + op.OutC; // the bias follows the weights
        ctx.RequireTexels(node ?? op, weights, end - weights);
        var push = new PushOffsets(ctx.Offset(input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(stored), weights, bias);
        return KernelDispatch.Create(op.Name, Id, spec, push,
            (tiling.GroupsX(hw), (uint)blocks, (uint)ctx.Batch),
            ConvDispatch.Reads(input, op.Residual, ctx), [ctx.Bytes(stored)]);
    }

    /// <summary>The input quads block <paramref name="block"/> of a ragged conv reads (as the shader computes them): those
    /// covering the input channels of the groups its output channels belong to.</summary>
    internal static (int First, int Count) InputQuads(Conv2dOp op, int tile, int block)
    {
        int icG = op.InC / op.Groups, ocG = op.OutC / op.Groups;
        int co0 = block * tile;
        int gLo = co0 / ocG, gHi = (Math.Min(co0 + tile, op.OutC) - 1) / ocG;
        int q0 = gLo * icG / 4;
        return (q0, ((gHi + 1) * icG + 3) / 4 - q0);
    }

    /// <summary>Ragged weights as [block][quads * 4 input channels][tile]: the weight where input and output channel are in
    /// the same group, zero elsewhere and past the last output channel or the block's quads.</summary>
    internal static float[] RepackRagged(Conv2dOp op, int tile, int blocks, int quads)
    {
        int icG = op.InC / op.Groups, ocG = op.OutC / op.Groups;
        var packed = new float[blocks * quads * 4 * tile];
        for (int b = 0; b < blocks; b++)
        {
            var (q0, count) = InputQuads(op, tile, b);
            for (int i = 0; i < count * 4; i++)
                for (int t = 0; t < tile; t++)
                {
                    int ci = q0 * 4 + i, co = b * tile + t;
                    if (co >= op.OutC || ci / icG != co / ocG) continue;
                    packed[((long)b * quads * 4 + i) * tile + t] = op.Weights[co * icG + ci % icG];
                }
        }
        return packed;
    }

    /// <summary>OIHW grouped weights ([OutC][InC / groups]) as [group][block of tile][InC / groups][tile], zero past a
    /// group's last output channel.</summary>
    internal static float[] Repack(float[] weights, int icG, int ocG, int groups, int tile, int blocks)
    {
        var packed = new float[groups * blocks * icG * tile];
        for (int g = 0; g < groups; g++)
        {
            var group = PointwiseConvTiledKernel.Repack(weights[(g * ocG * icG)..((g + 1) * ocG * icG)], icG, ocG, tile, 0, blocks);
            group.CopyTo(packed, g * group.Length);
        }
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv_grouped_packed.comp, in constant_id order.</summary>
internal readonly record struct PointwiseConvGroupedPackedConstants(int LocalSize, int InC, int OutC, int Hw, int Groups,
    GlslBool HasBias, Activation Act, GlslBool HasResidual, int OcTile, int Px, int Shuffle, GlslBool Ragged = default,
    int RaggedQuads = 1, int OutStrideC4 = 0) : ISpecConstants;
