using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>Runs a <see cref="ConcatPartWriteOp"/>: the part's own kernel planned as usual (by its provider's
/// <see cref="OpProvider{TOp}.PlanIntoConcat"/>), then pointed at the part's first channel of the joined buffer (push
/// offset out0 + FirstChannel x H x W: in NC4HW4 a quad range starts there too) with the buffer's channels (NC4HW4:
/// quads) per batch item as its output batch stride. NC4HW4: avg_pool (OUT_PACKED), pointwise_conv_grouped_packed,
/// pointwise_conv_packed, winograd_output (after its input transform and GEMM into the write's scratch), conv2d_packed; NCHW: avg_pool, pointwise_conv_grouped. It writes only its channels of each batch item, so two
/// writers of one buffer need no barrier between them; no copy joins the parts.</summary>
internal static class ConcatPartWriteKernel
{
    public static IReadOnlyList<KernelDispatch> Plan(ConcatPartWriteOp op, KernelContext ctx, KernelChoice choice)
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
        var target = new ConcatTarget(op, (uint)(op.FirstChannel * buffer.H * buffer.W), ctx.ChannelBytes(op.Output, op.FirstChannel, part.C), choice);
        return OpRegistry.For(op.Part).PlanIntoConcat(op.Part, ctx, target);
    }
}

/// <summary>Where a <see cref="ConcatPartWriteOp"/>'s part goes: from element <paramref name="FirstElement"/> of the
/// joined buffer (the write's <see cref="Node.Output"/>), writing <paramref name="Writes"/>; planned with the session's
/// <paramref name="Choice"/> of variants.</summary>
internal sealed record ConcatTarget(ConcatPartWriteOp Write, uint FirstElement, ByteRange[] Writes, KernelChoice Choice)
{
    /// <summary>The joined buffer's shape.</summary>
    public TensorShape Buffer => Write.Output.Shape;

    /// <summary>Whether the buffer is NC4HW4.</summary>
    public bool Packed => Write.Output.Layout == TensorLayout.Nc4hw4;

    /// <summary>The part's own dispatch pointed at its first channel of the buffer, with the buffer's channels as its
    /// batch stride (set in the constants by <paramref name="withStride"/>).</summary>
    public IReadOnlyList<KernelDispatch> Retarget<T>(KernelDispatch plain, KernelId<T> kernel, Func<T, T> withStride) where T : unmanaged, ISpecConstants =>
        Retarget([plain], kernel, withStride);

    /// <summary>The part's own dispatches with the last, the one that stores its output (a Winograd convolution's
    /// output transform after its input transform and GEMM into scratch), retargeted as <see cref="Retarget{T}(KernelDispatch, KernelId{T}, Func{T, T})"/>.</summary>
    public IReadOnlyList<KernelDispatch> Retarget<T>(IReadOnlyList<KernelDispatch> plain, KernelId<T> kernel, Func<T, T> withStride)
        where T : unmanaged, ISpecConstants
    {
        var last = plain[^1];
        if (last.Shader != kernel.Shader)
            throw new InvalidOperationException($"{Write}: its last dispatch runs {last.Shader}, not {kernel.Shader}");
        return [.. plain.Take(plain.Count - 1), KernelDispatch.Create(last.Label, kernel, withStride((T)last.Constants),
            last.Push with { Out0 = last.Push.Out0 + FirstElement }, last.Groups, last.Reads, Writes)];
    }
}
