using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/transpose.comp: a permutation of the per-sample axes, NCHW in and out.</summary>
internal static class TransposeKernel
{
    public const string Shader = "transpose";

    public static KernelDispatch Plan(TransposeOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        int count = s.Elements;
        int[] spec = [KernelContext.WorkgroupSize, s.C, s.H, s.W, op.Perm[0], op.Perm[1], op.Perm[2]];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
