using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/mul.comp: element-wise product, the second factor full-size or one per channel; planar or
/// channel-packed (the packing pass keeps squeeze-and-excite blocks NC4HW4); a vec4 (texel) per invocation where the
/// tensors allow it (a per-channel gate: packed only), else a float.</summary>
internal static class MulKernel
{
    /// <summary>shaders/mul.comp.</summary>
    public static readonly KernelId<MulConstants> Id = new("mul");

    public static KernelDispatch Plan(MulOp op, KernelContext ctx)
    {
        var s = op.Output.Shape;
        int count = s.Elements;
        bool packed = op.A.Layout == Graph.TensorLayout.Nc4hw4;
        var push = new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0);
        bool vec4 = count % 4 == 0 && push.In0 % 4 == 0 && push.In1 % 4 == 0 && push.Out0 % 4 == 0 && (!op.IsChannelBroadcast || packed) &&
            ctx.TexelsReach(op.A) && ctx.TexelsReach(op.B);
        var spec = new MulConstants(KernelContext.WorkgroupSize, count, s.H * s.W, op.IsChannelBroadcast, s.C, packed, vec4);
        return KernelDispatch.Create(op.Name, Id, spec, push,
            (KernelContext.Groups(vec4 ? count / 4 : count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/mul.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct MulConstants(
    int LocalSize, int Count, int Plane, GlslBool Broadcast, int C, GlslBool Packed, GlslBool Vec4) : ISpecConstants;
