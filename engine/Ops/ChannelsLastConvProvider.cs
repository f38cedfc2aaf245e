using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A packed 1x1 convolution storing its output channels-last (pointwise_conv_packed_nhwc,
/// <see cref="ChannelsLastConvKernel"/>), made by <see cref="Passes.FoldChannelsLastStore"/>; packed input, planar output.</summary>
internal sealed class ChannelsLastConvProvider : OpProvider<ChannelsLastConvOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [PointwiseConvPackedKernel.ChannelsLastId];

    /// <inheritdoc/>
    public override string NoExportReason => "made by a pass from a convolution and a transpose: export the graph before the passes";

    /// <summary>[H, W, C'] of the convolution's output, C' (the output's own W) at most its channels.</summary>
    public override TensorShape OutputShape(ChannelsLastConvOp c)
    {
        var conv = OpRegistry.OutputShape(c.Conv);
        int channels = c.Output.Shape.W;
        Require(c, channels > 0 && channels <= conv.C, $"it stores {channels} channels of a convolution of {conv.C}");
        return new TensorShape(conv.H, conv.W, channels);
    }

    /// <summary>The convolution, then its first channels moved last.</summary>
    public override float[] Reference(ChannelsLastConvOp c, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var conv = ConvReference.Run(c.Conv, values[c.Conv.Input], c.Conv.Residual is null ? null : values[c.Conv.Residual], batch);
        var s = c.Conv.Output.Shape;
        int hw = s.H * s.W, channels = c.Output.Shape.W;
        var output = new float[batch * hw * channels];
        for (int n = 0; n < batch; n++)
            for (int ch = 0; ch < channels; ch++)
                for (int p = 0; p < hw; p++)
                    output[(n * hw + p) * channels + ch] = conv[(n * s.C + ch) * hw + p];
        return output;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ChannelsLastConvOp c, KernelContext ctx, KernelChoice choice) => [ChannelsLastConvKernel.Plan(c, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(ChannelsLastConvOp c) => c.Conv.Input.Layout == TensorLayout.Nc4hw4 && c.Output.Layout == TensorLayout.Nchw;

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(ChannelsLastConvOp c) => OpRegistry.Constants(c.Conv);

    /// <inheritdoc/>
    public override long Params(ChannelsLastConvOp c) => OpRegistry.Params(c.Conv);

    /// <inheritdoc/>
    public override long MultiplyAdds(ChannelsLastConvOp c) => OpRegistry.MultiplyAdds(c.Conv);
}
