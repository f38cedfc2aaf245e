using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/dense.comp: fully connected layer with fused bias and activation. Where the width is a multiple of 4
/// and the input and weights lie within the device's texel views it reads vec4 texels and computes 4 output units per
/// invocation (QUADS: 5 texel fetches per 16 multiply-adds instead of 8; MobileNetV3-Large's 18 dense dispatches, the
/// squeeze-and-excite 1x1s and the head, 4.1 -> 2.5 ms on lavapipe, runs interleaved), else one unit per invocation,
/// reading texels or (beyond the texel views) scalars.</summary>
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
    public static KernelDispatch Plan(Conv2dOp c, KernelContext ctx, bool int8Weights = false) =>
        Plan(new DenseOp(c.Name, c.Input, c.Output, c.Weights, c.Bias, c.Activation), ctx, int8Weights);

    /// <summary>The dense dispatch of <paramref name="op"/>: 4 output units per invocation where it reads texels
    /// (see <see cref="RepackQuads"/>), else one unit per invocation. With <paramref name="int8Weights"/>, quads keep
    /// weights that are int8 levels with per-unit scales as int8 (<see cref="Int8Weights"/>): a quarter of the bytes of a
    /// layer whose time is its weight fetches.</summary>
    public static KernelDispatch Plan(DenseOp op, KernelContext ctx, bool int8Weights = false)
    {
        int inF = op.InFeatures, outF = op.OutFeatures, quadCount = (outF + 3) / 4;
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0);
        var reads = new[] { ctx.Bytes(op.Input) };
        var writes = new[] { ctx.Bytes(op.Output) };
        if (inF % 4 == 0 && ctx.TexelsReach(op.Input))
        {
            var packed = RepackQuads(op.Weights, inF, outF);
            // Packed element i is output unit (i / (4 x inF)) x 4 + i % 4.
            var int8 = int8Weights ? Int8Weights.Block(op.Weights, inF, packed, quadCount * 4, i => i / (4 * inF) * 4 + i % 4, ctx) : null;
            packed = int8 ?? packed;
            uint w = ctx.AddWeights(packed);
            uint b = ctx.AddWeights(op.Bias is null ? null : [.. op.Bias, .. new float[quadCount * 4 - outF]]);
            // Beyond the device's texel views (small maxTexelBufferElements) these weights go unused and the scalar
            // path below adds its own.
            if (ctx.TexelsReach(w, packed.Length) && (op.Bias is null || ctx.TexelsReach(b, quadCount * 4)))
            {
                int local = LocalSizeForQuads(quadCount);
                return KernelDispatch.Create(op.Name, Id, new DenseConstants(local, inF, outF, op.Bias is not null, op.Activation, true, true, int8 is not null),
                    push with { Weights = w, Bias = b }, (KernelContext.Groups(quadCount, local), (uint)ctx.Batch, 1), reads, writes);
            }
        }
        uint weights = ctx.AddWeights(op.Weights);
        bool texels = inF % 4 == 0 && ctx.TexelsReach(op.Input) && ctx.TexelsReach(weights, op.Weights.Length);
        var spec = new DenseConstants(KernelContext.WorkgroupSize, inF, outF, op.Bias is not null, op.Activation, texels);
        return KernelDispatch.Create(op.Name, Id, spec, push with { Weights = weights, Bias = ctx.AddWeights(op.Bias) },
            (KernelContext.Groups(outF, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1), reads, writes);
    }

    /// <summary>Workgroup size for <paramref name="quads"/> invocations: small enough that the layer has about 16
    /// workgroups (lavapipe runs a workgroup on one thread; 5 workgroups of 64 left one of its 2 threads idle for a
    /// fifth of the head layer), at least one subgroup of 8.</summary>
    internal static int LocalSizeForQuads(int quads) =>
        Math.Clamp((quads + 16 * 8 - 1) / (16 * 8) * 8, 8, KernelContext.WorkgroupSize);

    /// <summary>Dense weights [out][in] as [out / 4][in] texels of 4 floats: texel (q, i) holds the weights of output
    /// units 4q..4q+3 for input i, zero past the last unit.</summary>
    internal static float[] RepackQuads(float[] weights, int inF, int outF)
    {
        int quads = (outF + 3) / 4;
        var packed = new float[quads * 4 * inF];
        for (int o = 0; o < outF; o++)
            for (int i = 0; i < inF; i++)
                packed[((o / 4) * inF + i) * 4 + o % 4] = weights[o * inF + i];
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/dense.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct DenseConstants(
    int LocalSize, int InF, int OutF, GlslBool HasBias, Graph.Activation Act, GlslBool Texels, GlslBool Quads = default, GlslBool Int8Weights = default) : ISpecConstants;
