using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A range of channels (shaders/channel_slice.comp), ONNX Split or Slice on the channel axis.</summary>
internal sealed class SliceChannelsProvider : OpProvider<SliceChannelsOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [SliceChannelsKernel.Id];

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
    public override IReadOnlyList<KernelDispatch> Plan(SliceChannelsOp sc, KernelContext ctx, KernelChoice choice) => [SliceChannelsKernel.Plan(sc, ctx)];

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
