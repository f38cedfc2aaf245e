using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A standalone element-wise activation (shaders/activation.comp), in either layout, in place over its input.</summary>
internal sealed class ActivationProvider : OpProvider<ActivationOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ActivationKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(ActivationOp a) => a.Input.Shape;

    /// <inheritdoc/>
    public override float[] Reference(ActivationOp a, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ElementwiseReference.Activate(values[a.Input], a.Activation);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ActivationOp a, KernelContext ctx, KernelChoice choice) => [ActivationKernel.Plan(a, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(ActivationOp a) => OneLayout(a);

    /// <inheritdoc/>
    public override ActivationOp? WithPackedTensors(ActivationOp a, IChannelPacking packing) =>
        packing.IsPacked(a.Input) ? a with { Input = packing.Packed(a.Input), Output = packing.ProducedPacked(a.Output) } : null;

    /// <inheritdoc/>
    public override Value? InPlaceInput(ActivationOp a) => a.Input;

    /// <inheritdoc/>
    public override bool NonNegative(ActivationOp a, Func<Value, bool> isNonNegative) => EndsInRelu(a.Activation);

    /// <inheritdoc/>
    public override void Export(ActivationOp a, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(a.Activation, a);
        int rank = w.RankOf(a.Input);
        w.Activate(a.Activation, a.Name, w.Tensor(a.Input, rank), w.Define(a.Output, rank), a);
    }
}
