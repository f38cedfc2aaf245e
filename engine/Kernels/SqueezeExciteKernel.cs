using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/squeeze_excite.comp: a whole squeeze-and-excite gate (<see cref="SqueezeExciteOp"/>: global pool,
/// two 1x1 convolutions of one pixel) in one dispatch, one workgroup per batch item.</summary>
internal static class SqueezeExciteKernel
{
    /// <summary>shaders/squeeze_excite.comp.</summary>
    public static readonly KernelId<SqueezeExciteConstants> Id = new("squeeze_excite");

    /// <summary>Shared memory the kernel may take: Vulkan's guaranteed minimum of maxComputeSharedMemorySize, so the
    /// pass that makes the op need not know the device.</summary>
    public const int MaxSharedBytes = 16384;

    /// <summary>Whether the kernel runs this gate: the input channel-packed (NC4HW4, C a multiple of 4) and the pooled
    /// and squeezed vectors within <see cref="MaxSharedBytes"/>.</summary>
    public static bool Fits(int channels, int squeezed) => channels % 4 == 0 && (channels + squeezed) * sizeof(float) <= MaxSharedBytes;

    public static KernelDispatch Plan(SqueezeExciteOp op, KernelContext ctx)
    {
        var input = op.Pool.Input.Shape;
        int c = input.C, s = op.Squeeze.OutC;
        if (!Fits(c, s))
            throw new NotSupportedException($"{op}: {c} + {s} channels exceed the {MaxSharedBytes} bytes of shared memory the gate kernel takes");
        // Each weight block is aligned by the packer (rows of C floats start on a texel since C is a multiple of 4).
        uint squeeze = ctx.AddWeights(op.Squeeze.Weights);
        uint squeezeBias = ctx.AddWeights(op.Squeeze.Bias);
        uint excite = ctx.AddWeights(op.Excite.Weights);
        uint exciteBias = ctx.AddWeights(op.Excite.Bias);
        ctx.RequireTexels(op, squeeze, Math.Max(squeeze + op.Squeeze.Weights.Length, excite + op.Excite.Weights.Length) - squeeze);
        int local = KernelContext.LocalSizeFor(Math.Max(c, s));
        var spec = new SqueezeExciteConstants(local, c, input.H * input.W, s,
            op.Squeeze.Bias is not null, op.Squeeze.Activation, op.Excite.Bias is not null, op.Excite.Activation);
        var push = new PushOffsets(ctx.Offset(op.Pool.Input), 0, ctx.Offset(op.Output), squeeze, squeezeBias, excite, exciteBias);
        return KernelDispatch.Create(op.Name, Id, spec, push, (1, 1, (uint)ctx.Batch), [ctx.Bytes(op.Pool.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/squeeze_excite.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct SqueezeExciteConstants(
    int LocalSize, int C, int Hw, int S, GlslBool HasBias1, Graph.Activation Act1, GlslBool HasBias2, Graph.Activation Act2) : ISpecConstants;
