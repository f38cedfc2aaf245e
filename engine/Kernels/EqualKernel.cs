using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/equal.comp: element-wise equality as 1.0 / 0.0.</summary>
internal static class EqualKernel
{
    public const string Shader = "equal";

    public static KernelDispatch Plan(EqualOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        int[] spec = [KernelContext.WorkgroupSize, count];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}
