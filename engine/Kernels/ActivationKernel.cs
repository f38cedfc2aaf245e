using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/activation.comp: a standalone activation, when activation fusion is off.</summary>
public static class ActivationKernel
{
    /// <summary>shaders/activation.comp.</summary>
    public static readonly KernelId<ActivationConstants> Id = new("activation");

    public static KernelDispatch Plan(ActivationOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        var spec = new ActivationConstants(KernelContext.WorkgroupSize, count, op.Activation);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/activation.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct ActivationConstants(int LocalSize, int Count, Graph.Activation Act) : ISpecConstants;
