using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/add.comp: element-wise sum (+ activation), when the residual add is not fused into a conv; a vec4
/// (texel) per invocation where the tensors allow it, else a float.</summary>
internal static class AddKernel
{
    /// <summary>shaders/add.comp.</summary>
    public static readonly KernelId<AddConstants> Id = new("add");

    public static KernelDispatch Plan(AddOp op, KernelContext ctx)
    {
        int count = op.Output.Shape.Elements;
        var push = new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0);
        bool vec4 = count % 4 == 0 && push.In0 % 4 == 0 && push.In1 % 4 == 0 && push.Out0 % 4 == 0 && ctx.TexelsReach(op.A) && ctx.TexelsReach(op.B);
        var spec = new AddConstants(KernelContext.WorkgroupSize, count, op.Activation, vec4);
        return KernelDispatch.Create(op.Name, Id, spec, push,
            (KernelContext.Groups(vec4 ? count / 4 : count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/add.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct AddConstants(int LocalSize, int Count, Graph.Activation Act, GlslBool Vec4) : ISpecConstants;
