using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/lrn.comp: local response normalisation across channels, one invocation per element (NCHW) or per
/// pixel and channel quad (NC4HW4).</summary>
internal static class LrnKernel
{
    /// <summary>shaders/lrn.comp.</summary>
    public static readonly KernelId<LrnConstants> Id = new("lrn");

    public static KernelDispatch Plan(LrnOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        bool packed = op.Input.Layout == Graph.TensorLayout.Nc4hw4;
        int count = packed ? s.Elements / 4 : s.Elements; // packed: one invocation per pixel and channel quad
        var spec = new LrnConstants(KernelContext.WorkgroupSize, s.C, s.H * s.W, op.Size, op.Alpha, op.Beta, op.Bias,
            packed);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/lrn.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct LrnConstants(int LocalSize, int Channels, int Plane, int Size, float Alpha, float Beta, float Bias,
    GlslBool Packed = default) : ISpecConstants;
