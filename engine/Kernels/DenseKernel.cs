using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/dense.comp: fully connected layer with fused bias and activation. Reads vec4 texels where the
/// width is a multiple of 4 and the input and weights lie within the device's texel views, scalars otherwise.</summary>
internal static class DenseKernel
{
    public const string Shader = "dense";

    public static KernelDispatch Plan(DenseOp op, KernelContext ctx)
    {
        uint weights = ctx.AddWeights(op.Weights);
        bool texels = op.InFeatures % 4 == 0 && ctx.TexelsReach(op.Input) && ctx.TexelsReach(weights, op.Weights.Length);
        int[] spec = [KernelContext.WorkgroupSize, op.InFeatures, op.OutFeatures, KernelContext.Flag(op.Bias is not null), (int)op.Activation,
            KernelContext.Flag(texels)];
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), weights, ctx.AddWeights(op.Bias));
        return new KernelDispatch(op.Name, Shader, spec, push,
            (KernelContext.Groups(op.OutFeatures, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
