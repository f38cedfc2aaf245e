using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Channels picked out of a packed pool (shaders/gather_channels.comp), made by <see cref="Passes.FoldChannelViews"/>
/// for a reader of a view that cannot absorb it; the input is NC4HW4, the output NC4HW4 where its channels are whole
/// quads, else NCHW.</summary>
internal sealed class GatherChannelsProvider : OpProvider<GatherChannelsOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [GatherChannelsKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "made by the channel-view folding pass (a channel table into a pool): export the graph before the passes";

    /// <summary>One output channel per table entry, each a channel of the input; height and width are the input's.</summary>
    public override TensorShape OutputShape(GatherChannelsOp g)
    {
        Require(g, g.Channels.Length > 0 && g.Channels.All(c => c >= 0 && c < g.Input.Shape.C),
            $"its {g.Channels.Length} channels must each be one of its input's {g.Input.Shape.C}");
        return new TensorShape(g.Channels.Length, g.Input.Shape.H, g.Input.Shape.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(GatherChannelsOp g, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var x = values[g.Input];
        int plane = g.Input.Shape.H * g.Input.Shape.W, inStride = g.Input.Shape.Elements, outStride = g.Output.Shape.Elements;
        var y = new float[batch * outStride];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < g.Channels.Length; c++)
                Array.Copy(x, n * inStride + g.Channels[c] * plane, y, n * outStride + c * plane, plane);
        return y;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(GatherChannelsOp g, KernelContext ctx, KernelChoice choice) => [GatherChannelsKernel.Plan(g, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(GatherChannelsOp g) =>
        g.Input.Layout == TensorLayout.Nc4hw4 && (g.Output.Layout == TensorLayout.Nchw || g.Output.Shape.C % 4 == 0);

    /// <summary>The pool is packed (its writers are packed 1x1 and depthwise kernels); the output is packed where it
    /// holds whole quads, so packed readers need no conversion.</summary>
    public override GatherChannelsOp WithPackedTensors(GatherChannelsOp g, IChannelPacking packing) => g with
    {
        Input = packing.Packed(g.Input),
        Output = g.Output.Shape.C % 4 == 0 ? packing.ProducedPacked(g.Output) : g.Output,
    };

    /// <inheritdoc/>
    public override bool IsChannelCopy => true;
}
