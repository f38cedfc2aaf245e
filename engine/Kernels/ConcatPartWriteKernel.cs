using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Runs a <see cref="ConcatPartWriteOp"/>: the part's own kernel (avg_pool with OUT_PACKED,
/// pointwise_conv_grouped_packed, pointwise_conv_packed) planned as usual, then pointed at the part's first quad of the
/// joined NC4HW4 buffer (push offset out0 + FirstQuad x 4 x H x W) with the buffer's quads per batch item as its output
/// batch stride (OUT_STRIDE_C4). It writes only its quads of each batch item, so two writers of one buffer need no
/// barrier between them; no copy dispatch joins the parts.</summary>
internal static class ConcatPartWriteKernel
{
    public static KernelDispatch Plan(ConcatPartWriteOp op, KernelContext ctx)
    {
        var (part, buffer) = (op.Part.Output.Shape, op.Output.Shape);
        if (!KernelCapabilities.WritesIntoConcat(op.Part))
            throw new NotSupportedException($"{op}: {op.Part} has no kernel that writes into a quad range of a packed tensor");
        if (part.H != buffer.H || part.W != buffer.W || part.C % 4 != 0 || buffer.C % 4 != 0 || op.FirstQuad < 0 || op.FirstQuad * 4 + part.C > buffer.C)
            throw new NotSupportedException($"{op}: part {part} does not fit whole quads from quad {op.FirstQuad} of {buffer}");
        if (op.Into is not null && (op.Into.Shape != buffer || ctx.Offset(op.Into) != ctx.Offset(op.Output)))
            throw new NotSupportedException($"{op}: it writes some channels of '{op.Into.Name}' and keeps the rest, so its output must be planned in place over it");
        uint first = (uint)(op.FirstQuad * 4 * buffer.H * buffer.W);
        int stride = buffer.C / 4;
        var writes = ctx.ChannelBytes(op.Output, op.FirstQuad * 4, part.C);
        switch (op.Part)
        {
            case AvgPoolOp p:
            {
                var plain = AvgPoolKernel.Plan(p, ctx, op.Output);
                return KernelDispatch.Create(plain.Label, AvgPoolKernel.Id, (AvgPoolConstants)plain.Constants with { OutStrideC4 = stride },
                    plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
            }
            case ShuffledReadConvOp s:
                return Grouped(PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups, op.Output), stride, first, writes);
            case Conv2dOp { Groups: > 1 } c:
                return Grouped(PointwiseConvGroupedPackedKernel.Plan(c, ctx, stored: op.Output), stride, first, writes);
            case Conv2dOp c:
            {
                var plain = PointwiseConvPackedKernel.Plan(c, ctx, c.Input, op.Output).Single();
                return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.Id, (PointwiseConvPackedConstants)plain.Constants with { OutStrideC4 = stride },
                    plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
            }
            default:
                throw new NotSupportedException($"{op}: {op.Part} has no kernel that writes into a quad range of a packed tensor");
        }
    }

    private static KernelDispatch Grouped(KernelDispatch plain, int stride, uint first, Vulkan.ByteRange[] writes) =>
        KernelDispatch.Create(plain.Label, PointwiseConvGroupedPackedKernel.Id, (PointwiseConvGroupedPackedConstants)plain.Constants with { OutStrideC4 = stride },
            plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
}
