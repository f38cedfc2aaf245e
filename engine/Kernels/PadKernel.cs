using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pad.comp: zero padding (when the pad-folding pass is off or cannot fold).</summary>
public static class PadKernel
{
    /// <summary>shaders/pad.comp.</summary>
    public static readonly KernelId<PadConstants> Id = new("pad");

    public static KernelDispatch Plan(PadOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new PadConstants(KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.Pad.Top, op.Pad.Left);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/pad.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct PadConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int PadT, int PadL) : ISpecConstants;
