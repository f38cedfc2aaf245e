using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Maps each graph op to the kernel that runs it on the GPU.</summary>
internal static class KernelSelector
{
    /// <summary>The dispatches that run <paramref name="node"/>: none for ops that cost nothing (Flatten aliases
    /// its input), several where a kernel splits a layer so each dispatch's weights fit a uniform window.</summary>
    /// <exception cref="NotSupportedException">The op has no GPU kernel (the message names it).</exception>
    public static IReadOnlyList<KernelDispatch> Plan(Node node, KernelContext ctx, KernelChoice choice)
    {
        CheckLayouts(node);
        var dispatches = Select(node, ctx, choice);
        // Split layers divide their work along the grid's y axis (channel blocks), so y gives each part's share.
        double total = dispatches.Sum(d => (double)d.Groups.Y);
        return dispatches.Select(d => d with { Source = node, Fraction = dispatches.Count == 1 ? 1 : d.Groups.Y / total }).ToList();
    }

    private static IReadOnlyList<KernelDispatch> Select(Node node, KernelContext ctx, KernelChoice choice) => node switch
    {
        // A 1x1 convolution of one pixel is a matrix-vector product, in either layout.
        Conv2dOp c when KernelCapabilities.RunsOnDense(c) => [DenseKernel.Plan(c, ctx)],
        // Channel-packed tensors (the channel-packing pass chose them) have their own kernels, whatever the choice.
        Conv2dOp c when c.Input.Layout == TensorLayout.Nc4hw4 && c.IsPointwise => PointwiseConvPackedKernel.Plan(c, ctx),
        Conv2dOp c when c.Input.Layout == TensorLayout.Nc4hw4 && c.IsDepthwise => DepthwiseConvPackedKernel.Plan(c, ctx),
        Conv2dOp c when c.Input.Layout == TensorLayout.Nc4hw4 && c.Groups > 1 => [PointwiseConvGroupedPackedKernel.Plan(c, ctx)],
        ShuffledReadConvOp s when s.Input.Layout == TensorLayout.Nc4hw4 => [PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups)],
        Conv2dOp c when c.Output.Layout == TensorLayout.Nc4hw4 && !c.IsPointwise && !c.IsDepthwise => Conv2dTiledKernel.Fits(c, ctx)
            ? Conv2dTiledKernel.Plan(c, ctx)
            : throw new NotSupportedException($"{c}: its filters do not fit the device's uniform window, and only the tiled kernel writes NC4HW4"),
        LayoutConvertOp l => [LayoutConvertKernel.Plan(l, ctx)],
        Conv2dOp c when PointwiseConvGroupedKernel.Handles(c) => [PointwiseConvGroupedKernel.Plan(c, ctx)],
        ShuffledReadConvOp s => [PointwiseConvGroupedKernel.Plan(s.Conv, ctx, s.Input, s.ShuffleGroups)],
        GatedPointwiseOp g => [GatedPointwiseConvKernel.Plan(g, ctx)],
        SqueezeExciteOp se => [SqueezeExciteKernel.Plan(se, ctx)],
        MappedConvOp m => [MappedConvKernel.Plan(m, ctx)],
        ConcatPartWriteOp w => [ConcatPartWriteKernel.Plan(w, ctx)],
        Conv2dOp c when c.IsPointwise && choice.FastPointwise && choice.Pointwise == PointwiseVariant.Subgroup && PointwiseConvSubgroupKernel.Fits(c, ctx) => PointwiseConvSubgroupKernel.Plan(c, ctx),
        Conv2dOp c when c.IsPointwise && choice.FastPointwise && choice.Pointwise == PointwiseVariant.SharedMemory && PointwiseConvSharedKernel.Fits(c, ctx) => [PointwiseConvSharedKernel.Plan(c, ctx)],
        Conv2dOp c when c.IsPointwise && choice.FastPointwise && PointwiseConvTiledKernel.Fits(c, ctx) => PointwiseConvTiledKernel.Plan(c, ctx),
        Conv2dOp c when c.IsPointwise => [PointwiseConvKernel.Plan(c, ctx)],
        Conv2dOp c when c.IsDepthwise && choice.FastDepthwise && DepthwiseConvTiledKernel.Fits(c, ctx) => DepthwiseConvTiledKernel.Plan(c, ctx),
        Conv2dOp c when c.IsDepthwise => [DepthwiseConvKernel.Plan(c, ctx)],
        Conv2dOp c when choice.FastConv && Conv2dTiledKernel.Fits(c, ctx) => Conv2dTiledKernel.Plan(c, ctx),
        Conv2dOp c => [Conv2dKernel.Plan(c, ctx)],
        FusedBlockOp f => FusedBlockKernel.Plan(f, ctx),
        PadOp p => [PadKernel.Plan(p, ctx)],
        AvgPoolOp p => [AvgPoolKernel.Plan(p, ctx)],
        DenseOp d => [DenseKernel.Plan(d, ctx)],
        SoftmaxOp s => [SoftmaxKernel.Plan(s, ctx)],
        AddOp a => [AddKernel.Plan(a, ctx)],
        MulOp m => [MulKernel.Plan(m, ctx)],
        MaxPoolOp p => [MaxPoolKernel.Plan(p, ctx)],
        TransposeOp t => [TransposeKernel.Plan(t, ctx)],
        ConcatOp c => ConcatKernel.Plan(c, ctx),
        SliceChannelsOp sc => [SliceChannelsKernel.Plan(sc, ctx)],
        ConvTransposeOp ct => [ConvTransposeKernel.Plan(ct, ctx)],
        AxisSoftmaxOp sa => [AxisSoftmaxKernel.Plan(sa, ctx)],
        ChannelShuffleOp cs => [ChannelShuffleKernel.Plan(cs, ctx)],
        ShuffledConcatOp sc => ShuffledConcatKernel.Plan(sc, ctx),
        ResizeOp r => [ResizeKernel.Plan(r, ctx)],
        EqualOp e => [EqualKernel.Plan(e, ctx)],
        LrnOp l => [LrnKernel.Plan(l, ctx)],
        ActivationOp a => [ActivationKernel.Plan(a, ctx)],
        FlattenOp => [],
        _ => throw new NotSupportedException($"{node} has no GPU kernel (BatchNorm must be folded or converted by the passes)"),
    };

    private static void CheckLayouts(Node node)
    {
        if (!KernelCapabilities.SupportsLayouts(node))
            throw new NotSupportedException(
                $"{node} has no GPU kernel for these layouts: {string.Join(", ", node.Inputs.Append(node.Output).Select(v => v.ToString()))}");
    }
}
