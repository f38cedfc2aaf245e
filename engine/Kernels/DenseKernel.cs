using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/dense.comp: fully connected layer with fused bias and activation. Reads vec4 texels where the
/// width is a multiple of 4 and the input and weights lie within the device's texel views, scalars otherwise.</summary>
public static class DenseKernel
{
    /// <summary>shaders/dense.comp.</summary>
    public static readonly KernelId<DenseConstants> Id = new("dense");

    public static KernelDispatch Plan(DenseOp op, KernelContext ctx)
    {
        uint weights = ctx.AddWeights(op.Weights);
        bool texels = op.InFeatures % 4 == 0 && ctx.TexelsReach(op.Input) && ctx.TexelsReach(weights, op.Weights.Length);
        var spec = new DenseConstants(
            KernelContext.WorkgroupSize, op.InFeatures, op.OutFeatures, op.Bias is not null, op.Activation, texels);
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), weights, ctx.AddWeights(op.Bias));
        return KernelDispatch.Create(op.Name, Id, spec, push,
            (KernelContext.Groups(op.OutFeatures, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/dense.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct DenseConstants(
    int LocalSize, int InF, int OutF, GlslBool HasBias, Graph.Activation Act, GlslBool Texels) : ISpecConstants;
