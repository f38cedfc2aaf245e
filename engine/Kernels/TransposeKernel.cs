using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/transpose.comp: a permutation of the per-sample axes, NCHW or NC4HW4 (whole quads) in, NCHW or NC4HW4
/// (whole quads) out, reading through the arena's texel view where the device's reaches the input.</summary>
internal static class TransposeKernel
{
    /// <summary>shaders/transpose.comp.</summary>
    public static readonly KernelId<TransposeConstants> Id = new("transpose");

    public static KernelDispatch Plan(TransposeOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        int count = s.Elements;
        bool packedOut = op.Output.Layout == Graph.TensorLayout.Nc4hw4; // one invocation per output texel
        var spec = new TransposeConstants(KernelContext.WorkgroupSize, s.C, s.H, s.W, op.Perm[0], op.Perm[1], op.Perm[2],
            ctx.TexelsReach(op.Input), op.Input.Layout == Graph.TensorLayout.Nc4hw4 ? 1 : 0, packedOut ? 1 : 0);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(packedOut ? count / 4 : count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/transpose.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct TransposeConstants(
    int LocalSize, int D0, int D1, int D2, int P0, int P1, int P2, GlslBool Texels, int PackedIn, int PackedOut = 0) : ISpecConstants;
