using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A grouped 1x1 convolution reading its input through a channel shuffle (pointwise_conv_grouped with SHUFFLE,
/// or its packed form), made by <see cref="Passes.FoldChannelShuffle"/>.</summary>
internal sealed class ShuffledReadConvProvider : OpProvider<ShuffledReadConvOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [PointwiseConvGroupedPackedKernel.Id, PointwiseConvGroupedKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(ShuffledReadConvOp s)
    {
        Require(s, s.Input.Shape == s.Conv.Input.Shape && s.ShuffleGroups > 0 && s.Input.Shape.C % s.ShuffleGroups == 0,
            $"its input {s.Input.Shape} shuffled in {s.ShuffleGroups} groups is not its convolution's input {s.Conv.Input.Shape}");
        return OpRegistry.OutputShape(s.Conv);
    }

    /// <inheritdoc/>
    public override float[] Reference(ShuffledReadConvOp s, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ConvReference.Run(s.Conv, ShuffleReference.Shuffle(values[s.Input], s.Input.Shape, s.ShuffleGroups, batch),
            s.Conv.Residual is null ? null : values[s.Conv.Residual], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ShuffledReadConvOp s, KernelContext ctx, KernelChoice choice) =>
        s.Input.Layout == TensorLayout.Nc4hw4
            ? [PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups)]
            : [PointwiseConvGroupedKernel.Plan(s.Conv, ctx, s.Input, s.ShuffleGroups)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(ShuffledReadConvOp s) => OneLayout(s) && (s.Output.Layout == TensorLayout.Nchw || KernelCapabilities.RunsPacked(s));

    /// <inheritdoc/>
    /// <remarks>The shuffle is an index map in the packed kernel's read; the conv's own input (the shuffled tensor) is
    /// never stored, it only carries the shape, so it becomes packed with the rest.</remarks>
    public override ShuffledReadConvOp? WithPackedTensors(ShuffledReadConvOp s, IChannelPacking packing)
    {
        if (!KernelCapabilities.RunsPacked(s)) return null;
        var conv = s.Conv with
        {
            Input = new Value(s.Conv.Input.Name, s.Conv.Input.Shape, TensorLayout.Nc4hw4),
            Residual = s.Conv.Residual is null ? null : packing.Packed(s.Conv.Residual),
            Output = packing.ProducedPacked(s.Conv.Output),
        };
        return new ShuffledReadConvOp(s.Name, packing.Packed(s.Input), conv, s.ShuffleGroups);
    }

    /// <summary>Without a residual (it would be read at the wider tensor's stride), in the layout its input has.</summary>
    public override bool WritesIntoConcat(ShuffledReadConvOp s) => s.Conv.Residual is null && (s.Output.Layout == TensorLayout.Nc4hw4
        ? s.Input.Layout == TensorLayout.Nc4hw4 && KernelCapabilities.RunsPacked(s)
        : s.Input.Layout == TensorLayout.Nchw);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> PlanIntoConcat(ShuffledReadConvOp s, KernelContext ctx, ConcatTarget target) => target.Packed
        ? target.Retarget(PointwiseConvGroupedPackedKernel.Plan(s.Conv, ctx, s, s.Input, s.ShuffleGroups, target.Write.Output),
            PointwiseConvGroupedPackedKernel.Id, c => c with { OutStrideC4 = target.Buffer.C / 4 })
        : target.Retarget(PointwiseConvGroupedKernel.Plan(s.Conv, ctx, s.Input, s.ShuffleGroups, target.Write.Output),
            PointwiseConvGroupedKernel.Id, c => c with { OutStrideC = target.Buffer.C });

    /// <summary>The shuffle, then the convolution.</summary>
    public override void Export(ShuffledReadConvOp s, OnnxGraphWriter w)
    {
        OpRegistry.Export(new ChannelShuffleOp($"{s.Name}_shuffle", s.Input, s.Conv.Input, s.ShuffleGroups), w);
        OpRegistry.Export(s.Conv, w);
    }

    /// <inheritdoc/>
    public override bool TakesActivation(ShuffledReadConvOp s) => s.Conv.Activation == Activation.None;

    /// <inheritdoc/>
    public override ShuffledReadConvOp WithActivation(ShuffledReadConvOp s, Activation activation, Value output) =>
        new(s.Name, s.Input, s.Conv with { Activation = activation, Output = output }, s.ShuffleGroups); // Output comes from Conv

    /// <inheritdoc/>
    public override bool NonNegative(ShuffledReadConvOp s, Func<Value, bool> isNonNegative) => EndsInRelu(s.Conv.Activation);

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(ShuffledReadConvOp s) => OpRegistry.Constants(s.Conv);

    /// <inheritdoc/>
    public override long Params(ShuffledReadConvOp s) => OpRegistry.Params(s.Conv);

    /// <inheritdoc/>
    public override long MultiplyAdds(ShuffledReadConvOp s) => OpRegistry.MultiplyAdds(s.Conv);
}
