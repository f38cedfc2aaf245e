using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_grouped.comp: grouped 1x1 convolution, NCHW, optionally reading its input through
/// a channel shuffle (<see cref="ShuffledReadConvOp"/>). The generic direct convolution ran ShuffleNetV1's grouped
/// layers at 0.15 GFLOP/s on lavapipe (one output per invocation).</summary>
internal static class PointwiseConvGroupedKernel
{
    /// <summary>shaders/pointwise_conv_grouped.comp.</summary>
    public static readonly KernelId<PointwiseConvGroupedConstants> Id = new("pointwise_conv_grouped");
    private const int OutputTile = 8, Pixels = 4;

    /// <summary>Whether this kernel runs <paramref name="c"/>: a grouped (not depthwise) 1x1 stride-1 unpadded
    /// convolution on planar tensors.</summary>
    public static bool Handles(Conv2dOp c) =>
        c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero && c.Groups > 1 && !c.IsDepthwise &&
        c.Input.Layout == TensorLayout.Nchw && c.Output.Layout == TensorLayout.Nchw;

    /// <summary>The dispatch for <paramref name="op"/>, reading <paramref name="shuffledInput"/> through a shuffle of
    /// <paramref name="shuffleGroups"/> groups when given, writing <paramref name="stored"/> when given (the concatenation
    /// <see cref="ConcatPartWriteKernel"/> writes it into).</summary>
    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx, Value? shuffledInput = null, int shuffleGroups = 1, Value? stored = null)
    {
        stored ??= op.Output;
        var input = shuffledInput ?? op.Input;
        int hw = op.Output.Shape.H * op.Output.Shape.W;
        int pixelGroups = (hw + Pixels - 1) / Pixels;
        int local = KernelContext.LocalSizeFor(pixelGroups);
        int blocks = (op.OutC / op.Groups + OutputTile - 1) / OutputTile * op.Groups;
        var spec = new PointwiseConvGroupedConstants(local, op.InC, op.OutC, hw, op.Groups, op.Bias is not null, op.Activation,
            op.Residual is not null, shuffleGroups);
        var push = new PushOffsets(ctx.Offset(input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(stored),
            ctx.AddWeights(op.Weights), ctx.AddWeights(op.Bias));
        return KernelDispatch.Create(op.Name, Id, spec, push, (KernelContext.Groups(pixelGroups, local), (uint)blocks, (uint)ctx.Batch),
            ConvDispatch.Reads(input, op.Residual, ctx), [ctx.Bytes(stored)]);
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv_grouped.comp, in constant_id order.</summary>
internal readonly record struct PointwiseConvGroupedConstants(int LocalSize, int InC, int OutC, int Hw, int Groups, GlslBool HasBias,
    Activation Act, GlslBool HasResidual, int Shuffle, int OutStrideC = 0) : ISpecConstants;
