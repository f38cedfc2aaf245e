using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A range of channels, ONNX Split or Slice on the channel axis: shaders/channel_slice.comp on NCHW, and on an
/// NC4HW4 input shaders/gather_channels.comp (its table the range), which writes whole quads packed, else NCHW.</summary>
internal sealed class SliceChannelsProvider : OpProvider<SliceChannelsOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [SliceChannelsKernel.Id, GatherChannelsKernel.Id];

    /// <summary>The channel count is the output's (the slice's length); height and width are the input's.</summary>
    public override TensorShape OutputShape(SliceChannelsOp sc)
    {
        Require(sc, sc.First >= 0 && sc.First + sc.Output.Shape.C <= sc.Input.Shape.C,
            $"channels {sc.First}..{sc.First + sc.Output.Shape.C - 1} are not all in its input {sc.Input.Shape}");
        return new TensorShape(sc.Output.Shape.C, sc.Input.Shape.H, sc.Input.Shape.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(SliceChannelsOp sc, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.SliceChannels(sc, values[sc.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(SliceChannelsOp sc, KernelContext ctx, KernelChoice choice) =>
        sc.Input.Layout == TensorLayout.Nc4hw4
            ? [GatherChannelsKernel.Plan(sc, sc.Input, sc.Output, Enumerable.Range(sc.First, sc.Output.Shape.C).ToArray(), ctx)]
            : [SliceChannelsKernel.Plan(sc, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(SliceChannelsOp sc) =>
        sc.Input.Layout == TensorLayout.Nchw ? sc.Output.Layout == TensorLayout.Nchw : ReadsPacked(sc) && (sc.Output.Layout == TensorLayout.Nchw || sc.Output.Shape.C % 4 == 0);

    /// <inheritdoc/>
    /// <remarks>A packed input is read as it is (M-LSD's heads slice a packed resize's output: no unpacking of the whole
    /// tensor first); the slice is packed where it is whole quads, so packed readers need no conversion either.</remarks>
    public override SliceChannelsOp? WithPackedTensors(SliceChannelsOp sc, IChannelPacking packing) =>
        packing.IsPacked(sc.Input) && ReadsPacked(sc)
            ? sc with { Input = packing.Packed(sc.Input), Output = sc.Output.Shape.C % 4 == 0 ? packing.ProducedPacked(sc.Output) : sc.Output }
            : null;

    /// <summary>gather_channels reads NC4HW4 of whole channel quads.</summary>
    private static bool ReadsPacked(SliceChannelsOp sc) => sc.Input.Shape.C % 4 == 0;

    /// <inheritdoc/>
    public override bool IsChannelCopy => true;

    /// <inheritdoc/>
    public override void Export(SliceChannelsOp sc, OnnxGraphWriter w)
    {
        var starts = w.AddInt64Initializer($"{sc.Name}.starts", [sc.First]);
        var ends = w.AddInt64Initializer($"{sc.Name}.ends", [sc.First + sc.Output.Shape.C]);
        var axes = w.AddInt64Initializer($"{sc.Name}.axes", [1]);
        w.AddNode("Slice", sc.Name, [w.Tensor(sc.Input, 4), starts, ends, axes], w.Define(sc.Output, 4));
    }
}
