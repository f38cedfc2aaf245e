using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/softmax.comp: one workgroup per batch item reduces max and sum in shared memory.</summary>
internal static class SoftmaxKernel
{
    public const string Shader = "softmax";

    public static KernelDispatch Plan(SoftmaxOp op, KernelContext ctx)
    {
        int[] spec = [KernelContext.WorkgroupSize, op.Input.Shape.C];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            ((uint)ctx.Batch, 1, 1), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
