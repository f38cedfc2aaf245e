using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/mul.comp: element-wise product, the second factor full-size or one per channel; planar or
/// channel-packed (the packing pass keeps squeeze-and-excite blocks NC4HW4).</summary>
public static class MulKernel
{
    /// <summary>shaders/mul.comp.</summary>
    public static readonly KernelId<MulConstants> Id = new("mul");

    public static KernelDispatch Plan(MulOp op, KernelContext ctx)
    {
        var s = op.Output.Shape;
        int count = s.Elements;
        var spec = new MulConstants(
            KernelContext.WorkgroupSize, count, s.H * s.W, op.IsChannelBroadcast, s.C,
            op.A.Layout == Graph.TensorLayout.Nc4hw4);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/mul.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct MulConstants(
    int LocalSize, int Count, int Plane, GlslBool Broadcast, int C, GlslBool Packed) : ISpecConstants;
