using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/softmax_axis.comp: softmax along the middle axis of [outer, axis, inner], one invocation per line.</summary>
internal static class AxisSoftmaxKernel
{
    /// <summary>shaders/softmax_axis.comp.</summary>
    public static readonly KernelId<AxisSoftmaxConstants> Id = new("softmax_axis");

    /// <summary>The single dispatch that runs <paramref name="op"/>.</summary>
    public static KernelDispatch Plan(AxisSoftmaxOp op, KernelContext ctx)
    {
        int lines = op.Outer * op.Inner;
        int local = KernelContext.LocalSizeFor(lines);
        return KernelDispatch.Create(op.Name, Id, new AxisSoftmaxConstants(local, op.Outer, op.Axis, op.Inner),
            new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(lines, local), 1, (uint)ctx.Batch), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/softmax_axis.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct AxisSoftmaxConstants(int LocalSize, int Outer, int Axis, int Inner) : ISpecConstants;
