using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Element-wise sum with an optional activation (shaders/add.comp), in either layout, in place over A.</summary>
internal sealed class AddProvider : OpProvider<AddOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [AddKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(AddOp add)
    {
        Require(add, add.A.Shape == add.B.Shape, $"input shapes differ: '{add.A.Name}' is {add.A.Shape}, '{add.B.Name}' is {add.B.Shape}");
        return add.A.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(AddOp add, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ElementwiseReference.Add(values[add.A], values[add.B], add.Activation);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(AddOp add, KernelContext ctx, KernelChoice choice) => [AddKernel.Plan(add, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(AddOp add) => OneLayout(add);

    /// <inheritdoc/>
    public override AddOp? WithPackedTensors(AddOp add, IChannelPacking packing) =>
        packing.IsPacked(add.A) && packing.IsPacked(add.B)
            ? add with { A = packing.Packed(add.A), B = packing.Packed(add.B), Output = packing.ProducedPacked(add.Output) }
            : null;

    /// <summary>A: Keras builds residual adds as Add(shortcut, branch) and both die there, so A is as good as B for the
    /// built-in models.</summary>
    public override Value? InPlaceInput(AddOp add) => add.A;

    /// <inheritdoc/>
    public override bool TakesActivation(AddOp add) => add.Activation == Activation.None;

    /// <inheritdoc/>
    public override AddOp WithActivation(AddOp add, Activation activation, Value output) => add with { Activation = activation, Output = output };

    /// <inheritdoc/>
    public override bool NonNegative(AddOp add, Func<Value, bool> isNonNegative) => EndsInRelu(add.Activation);

    /// <inheritdoc/>
    public override void Export(AddOp add, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(add.Activation, add);
        // Both sides must have the same rank or ONNX broadcasting would pair the wrong axes.
        int rank = w.RankOf(add.A) == 2 && w.RankOf(add.B) == 2 ? 2 : 4;
        string output = w.Define(add.Output, rank);
        string sum = add.Activation == Activation.None ? output : w.Temp($"{add.Name}_sum");
        w.AddNode("Add", add.Name, [w.Tensor(add.A, rank), w.Tensor(add.B, rank)], sum);
        if (add.Activation != Activation.None)
            w.Activate(add.Activation, $"{add.Name}_act", sum, output, add);
    }
}
