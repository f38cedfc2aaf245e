using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Runs a <see cref="ConcatPartWriteOp"/>: the part's own kernel planned as usual, then pointed at the part's
/// first channel of the joined buffer (push offset out0 + FirstChannel x H x W: in NC4HW4 a quad range starts there too)
/// with the buffer's channels (NC4HW4: quads) per batch item as its output batch stride. NC4HW4: avg_pool (OUT_PACKED),
/// pointwise_conv_grouped_packed, pointwise_conv_packed; NCHW: avg_pool, pointwise_conv_grouped. It writes only its
/// channels of each batch item, so two writers of one buffer need no barrier between them; no copy joins the parts.</summary>
internal static class ConcatPartWriteKernel
{
    public static KernelDispatch Plan(ConcatPartWriteOp op, KernelContext ctx)
    {
        var (part, buffer) = (op.Part.Output.Shape, op.Output.Shape);
        bool packed = op.Output.Layout == TensorLayout.Nc4hw4;
        if (!KernelCapabilities.WritesIntoConcat(op.Part) || op.Part.Output.Layout != op.Output.Layout)
            throw new NotSupportedException($"{op}: {op.Part} has no kernel that writes into a channel range of a {op.Output.Layout} tensor");
        if (part.H != buffer.H || part.W != buffer.W || op.FirstChannel < 0 || op.FirstChannel + part.C > buffer.C ||
            packed && (part.C % 4 != 0 || buffer.C % 4 != 0 || op.FirstChannel % 4 != 0))
            throw new NotSupportedException($"{op}: part {part} does not fit {(packed ? "whole quads" : "channels")} from channel {op.FirstChannel} of {buffer}");
        if (op.Into is not null && (op.Into.Shape != buffer || ctx.Offset(op.Into) != ctx.Offset(op.Output)))
            throw new NotSupportedException($"{op}: it writes some channels of '{op.Into.Name}' and keeps the rest, so its output must be planned in place over it");
        uint first = (uint)(op.FirstChannel * buffer.H * buffer.W);
        var writes = ctx.ChannelBytes(op.Output, op.FirstChannel, part.C);
        return op.Part switch
        {
            AvgPoolOp p => IntoBuffer(AvgPoolKernel.Plan(p, ctx, op.Output), AvgPoolKernel.Id, c => c with { OutStrideC = buffer.C }, first, writes),
            ShuffledReadConvOp s when !packed => IntoBuffer(PointwiseConvGroupedKernel.Plan(s.Conv, ctx, s.Input, s.ShuffleGroups, op.Output),
                PointwiseConvGroupedKernel.Id, c => c with { OutStrideC = buffer.C }, first, writes),
            Conv2dOp c when !packed => IntoBuffer(PointwiseConvGroupedKernel.Plan(c, ctx, stored: op.Output),
                PointwiseConvGroupedKernel.Id, k => k with { OutStrideC = buffer.C }, first, writes),
            ShuffledReadConvOp s => IntoBuffer(PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups, op.Output),
                PointwiseConvGroupedPackedKernel.Id, c => c with { OutStrideC4 = buffer.C / 4 }, first, writes),
            Conv2dOp { Groups: > 1 } c => IntoBuffer(PointwiseConvGroupedPackedKernel.Plan(c, ctx, stored: op.Output),
                PointwiseConvGroupedPackedKernel.Id, k => k with { OutStrideC4 = buffer.C / 4 }, first, writes),
            Conv2dOp c => IntoBuffer(PointwiseConvPackedKernel.Plan(c, ctx, c.Input, op.Output).Single(),
                PointwiseConvPackedKernel.Id, k => k with { OutStrideC4 = buffer.C / 4 }, first, writes),
            _ => throw new NotSupportedException($"{op}: {op.Part} has no kernel that writes into a channel range of a {op.Output.Layout} tensor"),
        };
    }

    // The part's own dispatch pointed at its first channel of the buffer, with the buffer's channels as its batch stride.
    private static KernelDispatch IntoBuffer<T>(KernelDispatch plain, KernelId<T> kernel, Func<T, T> withStride, uint first, Vulkan.ByteRange[] writes)
        where T : unmanaged, ISpecConstants =>
        KernelDispatch.Create(plain.Label, kernel, withStride((T)plain.Constants), plain.Push with { Out0 = plain.Push.Out0 + first },
            plain.Groups, plain.Reads, writes);
}
