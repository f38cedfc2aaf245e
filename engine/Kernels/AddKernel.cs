using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/add.comp: element-wise sum (+ activation), when the residual add is not fused into a conv.</summary>
internal static class AddKernel
{
    public const string Shader = "add";

    public static KernelDispatch Plan(AddOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        int[] spec = [KernelContext.WorkgroupSize, count, (int)op.Activation];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}
