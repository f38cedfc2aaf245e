using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/dense.comp: fully connected layer with fused bias and activation.</summary>
public static class DenseKernel
{
    public const string Shader = "dense";

    public static KernelDispatch Plan(DenseOp op, KernelContext ctx)
    {
        int[] spec = [KernelContext.WorkgroupSize, op.InFeatures, op.OutFeatures, KernelContext.Flag(op.Bias is not null), (int)op.Activation];
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), ctx.AddWeights(op.Weights), ctx.AddWeights(op.Bias));
        return new KernelDispatch(op.Name, Shader, spec, push,
            (KernelContext.Groups(op.OutFeatures, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
