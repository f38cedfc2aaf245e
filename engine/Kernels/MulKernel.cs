using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/mul.comp: element-wise product, the second factor full-size or one per channel; planar or
/// channel-packed (the packing pass keeps squeeze-and-excite blocks NC4HW4).</summary>
internal static class MulKernel
{
    public const string Shader = "mul";

    public static KernelDispatch Plan(MulOp op, KernelContext ctx)
    {
        var s = op.Output.Shape;
        int count = s.Elements;
        int[] spec = [KernelContext.WorkgroupSize, count, s.H * s.W, KernelContext.Flag(op.IsChannelBroadcast), s.C,
            KernelContext.Flag(op.A.Layout == Graph.TensorLayout.Nc4hw4)];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.A), ctx.Offset(op.B), ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.A), ctx.Bytes(op.B)], [ctx.Bytes(op.Output)]);
    }
}
