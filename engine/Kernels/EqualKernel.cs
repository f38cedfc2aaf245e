using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/equal.comp: element-wise equality as 1.0 / 0.0.</summary>
public static class EqualKernel
{
    /// <summary>shaders/equal.comp.</summary>
    public static readonly KernelId<EqualConstants> Id = new("equal");

    public static KernelDispatch Plan(EqualOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        var spec = new EqualConstants(KernelContext.WorkgroupSize, count);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/equal.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct EqualConstants(int LocalSize, int Count) : ISpecConstants;
