using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/add.comp: element-wise sum (+ activation), when the residual add is not fused into a conv.</summary>
public static class AddKernel
{
    /// <summary>shaders/add.comp.</summary>
    public static readonly KernelId<AddConstants> Id = new("add");

    public static KernelDispatch Plan(AddOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        var spec = new AddConstants(KernelContext.WorkgroupSize, count, op.Activation);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/add.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct AddConstants(int LocalSize, int Count, Graph.Activation Act) : ISpecConstants;
