using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/softmax_axis.comp: softmax along the middle axis of [outer, axis, inner], one invocation per line.</summary>
public static class AxisSoftmaxKernel
{
    /// <summary>The kernel's shader name.</summary>
    public const string Shader = "softmax_axis";

    /// <summary>The single dispatch that runs <paramref name="op"/>.</summary>
    public static KernelDispatch Plan(AxisSoftmaxOp op, KernelContext ctx)
    {
        int lines = op.Outer * op.Inner;
        int local = KernelContext.LocalSizeFor(lines);
        int[] spec = [local, op.Outer, op.Axis, op.Inner];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(lines, local), 1, (uint)ctx.Batch), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
