using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/dense.comp: fully connected layer with fused bias and activation. Reads vec4 texels where the
/// width is a multiple of 4 and the input and weights lie within the device's texel views, scalars otherwise.</summary>
internal static class DenseKernel
{
    /// <summary>shaders/dense.comp.</summary>
    public static readonly KernelId<DenseConstants> Id = new("dense");

    /// <summary>Whether this 1x1 convolution is a matrix-vector product the dense kernel runs: one pixel in and out
    /// (a squeeze-and-excite's two convolutions), no residual. Its weights [out][in][1][1] are the dense layout, and
    /// C x 1 x 1 is the same bytes planar and channel-packed. The pointwise kernels tile pixels, so at one pixel they
    /// ran 80-240 one-invocation workgroups, 0.3-0.9 ms per SE convolution on lavapipe (MobileNetV3-Large).</summary>
    public static bool RunsPointwise(Conv2dOp c) =>
        c.IsPointwise && c.Residual is null && c.Input.Shape.H * c.Input.Shape.W == 1 && c.Output.Shape.H * c.Output.Shape.W == 1;

    /// <summary>The dense dispatch of a 1x1 convolution <see cref="RunsPointwise"/> accepts.</summary>
    public static KernelDispatch Plan(Conv2dOp c, KernelContext ctx) =>
        Plan(new DenseOp(c.Name, c.Input, c.Output, c.Weights, c.Bias, c.Activation), ctx);

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
internal readonly record struct DenseConstants(
    int LocalSize, int InF, int OutF, GlslBool HasBias, Graph.Activation Act, GlslBool Texels) : ISpecConstants;
