using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_shared.comp: 1x1 convolution as a shared-memory tiled GEMM, for GPUs. A
/// workgroup stages slices of <see cref="InputChannelSlice"/> input channels of its <see cref="PixelTile"/> pixels
/// and of its <see cref="OutputChannelTile"/> output channels' weights in shared memory, so each value fetched from
/// global memory feeds a whole tile of multiply-adds. Weights are repacked transposed, [inC][outC], padded with
/// zeros to whole slices and tiles; one dispatch per layer.</summary>
internal static class PointwiseConvSharedKernel
{
    /// <summary>shaders/pointwise_conv_shared.comp.</summary>
    public static readonly KernelId<PointwiseConvSharedConstants> Id = new("pointwise_conv_shared");

    /// <summary>Output channels per workgroup.</summary>
    public const int OutputChannelTile = 32;
    /// <summary>Pixels per workgroup.</summary>
    public const int PixelTile = 64;
    /// <summary>Input channels staged in shared memory per step (32 x 64 tiles: 6 KiB of fp32).</summary>
    public const int InputChannelSlice = 16;
    /// <summary>Register tile of one invocation, output channels x pixels (RM x RN in the shader, which fixes them).</summary>
    public const int RegisterChannels = 8, RegisterPixels = 4;

    /// <summary>Invocations per workgroup: one per register tile of the output tile.</summary>
    public const int Invocations = OutputChannelTile / RegisterChannels * (PixelTile / RegisterPixels);

    /// <summary>Shared memory one workgroup uses at most (fp32; the fp16-arithmetic build uses half).</summary>
    public const int SharedBytes = InputChannelSlice * (PixelTile + OutputChannelTile) * sizeof(float);

    /// <summary>Vulkan's guaranteed minimums: 128 invocations per workgroup, 16 KiB of shared memory.</summary>
    public static bool Fits(Conv2dOp op, KernelContext ctx) =>
        op.IsPointwise && Invocations <= 128 && SharedBytes <= 16384;

    /// <summary>The dispatch of a 1x1 convolution with its tensors in NCHW, or all in NC4HW4 (the packed 1x1 on a GPU: the
    /// shader's PACKED, channel counts whole quads).</summary>
    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int hw = o.H * o.W;
        bool packed = op.Input.Layout == Graph.TensorLayout.Nc4hw4;
        if (packed && (op.InC % 4 != 0 || op.OutC % 4 != 0 || op.Output.Layout != Graph.TensorLayout.Nc4hw4))
            throw new NotSupportedException($"{op}: the shared-memory 1x1 on packed tensors needs packed input and output of whole channel quads, got {op.InC} -> {op.OutC}");
        var spec = new PointwiseConvSharedConstants(
            Invocations, op.InC, op.OutC, hw, op.Bias is not null, op.Activation, op.Residual is not null,
            OutputChannelTile, PixelTile, InputChannelSlice, packed, ResC: op.HasNarrowResidual ? op.Residual!.Shape.C : 0);
        uint weights = ctx.AddWeights(Repack(op.Weights, op.InC, op.OutC, OutputChannelTile, InputChannelSlice));
        uint bias = ctx.AddWeights(op.Bias);
        var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output), weights, bias);
        var groups = (KernelContext.Groups(hw, PixelTile), KernelContext.Groups(op.OutC, OutputChannelTile), (uint)ctx.Batch);
        return KernelDispatch.Create(op.Name, Id, spec, push, groups, ConvDispatch.Reads(op.Input, op.Residual, ctx), [ctx.Bytes(op.Output)]);
    }

    /// <summary>OIHW [outC, inC] weights transposed to [ci][co], rows padded with zeros to a whole number of
    /// <paramref name="tile"/>s and the input channels to a whole number of <paramref name="slice"/>s.</summary>
    internal static float[] Repack(float[] weights, int inC, int outC, int tile, int slice)
    {
        int rows = (inC + slice - 1) / slice * slice, row = (outC + tile - 1) / tile * tile;
        var packed = new float[rows * row];
        for (int co = 0; co < outC; co++)
            for (int ci = 0; ci < inC; ci++)
                packed[ci * row + co] = weights[co * inC + ci];
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv_shared.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct PointwiseConvSharedConstants(
    int LocalSize, int InC, int OutC, int Hw, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int TileOc,
    int TilePx, int KSlice, GlslBool Packed = default, int WeightSets = 1, int ResC = 0) : ISpecConstants;
