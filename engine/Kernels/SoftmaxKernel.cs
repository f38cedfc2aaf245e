using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/softmax.comp: one workgroup per batch item reduces max and sum in shared memory.</summary>
public static class SoftmaxKernel
{
    /// <summary>shaders/softmax.comp.</summary>
    public static readonly KernelId<SoftmaxConstants> Id = new("softmax");

    public static KernelDispatch Plan(SoftmaxOp op, KernelContext ctx)
    {
        var spec = new SoftmaxConstants(KernelContext.WorkgroupSize, op.Input.Shape.C);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            ((uint)ctx.Batch, 1, 1), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/softmax.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct SoftmaxConstants(int LocalSize, int C) : ISpecConstants;
