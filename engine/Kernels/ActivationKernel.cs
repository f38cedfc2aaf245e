using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/activation.comp: a standalone activation, when activation fusion is off.</summary>
internal static class ActivationKernel
{
    public const string Shader = "activation";

    public static KernelDispatch Plan(ActivationOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        int[] spec = [KernelContext.WorkgroupSize, count, (int)op.Activation];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
