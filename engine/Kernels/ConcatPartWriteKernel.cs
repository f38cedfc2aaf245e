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
        switch (op.Part)
        {
            case AvgPoolOp p:
            {
                var plain = AvgPoolKernel.Plan(p, ctx, op.Output);
                return KernelDispatch.Create(plain.Label, AvgPoolKernel.Id, (AvgPoolConstants)plain.Constants with { OutStrideC = buffer.C },
                    plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
            }
            case ShuffledReadConvOp s when !packed:
                return Planar(PointwiseConvGroupedKernel.Plan(s.Conv, ctx, s.Input, s.ShuffleGroups, op.Output), buffer.C, first, writes);
            case Conv2dOp c when !packed:
                return Planar(PointwiseConvGroupedKernel.Plan(c, ctx, stored: op.Output), buffer.C, first, writes);
            case ShuffledReadConvOp s:
                return Grouped(PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups, op.Output), buffer.C / 4, first, writes);
            case Conv2dOp { Groups: > 1 } c:
                return Grouped(PointwiseConvGroupedPackedKernel.Plan(c, ctx, stored: op.Output), buffer.C / 4, first, writes);
            case Conv2dOp c:
            {
                var plain = PointwiseConvPackedKernel.Plan(c, ctx, c.Input, op.Output).Single();
                return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.Id, (PointwiseConvPackedConstants)plain.Constants with { OutStrideC4 = buffer.C / 4 },
                    plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
            }
            default:
                throw new NotSupportedException($"{op}: {op.Part} has no kernel that writes into a channel range of a {op.Output.Layout} tensor");
        }
    }

    private static KernelDispatch Grouped(KernelDispatch plain, int strideC4, uint first, Vulkan.ByteRange[] writes) =>
        KernelDispatch.Create(plain.Label, PointwiseConvGroupedPackedKernel.Id, (PointwiseConvGroupedPackedConstants)plain.Constants with { OutStrideC4 = strideC4 },
            plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);

    private static KernelDispatch Planar(KernelDispatch plain, int strideC, uint first, Vulkan.ByteRange[] writes) =>
        KernelDispatch.Create(plain.Label, PointwiseConvGroupedKernel.Id, (PointwiseConvGroupedConstants)plain.Constants with { OutStrideC = strideC },
            plain.Push with { Out0 = plain.Push.Out0 + first }, plain.Groups, plain.Reads, writes);
}
