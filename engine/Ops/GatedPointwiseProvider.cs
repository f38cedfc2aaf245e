using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A 1x1 convolution that scales its input per channel by a gate as it reads, then applies the gate activation
/// (pointwise_conv_packed with GATED and GATE_ACT,
/// <see cref="GatedPointwiseConvKernel"/>), made by <see cref="Passes.FuseChannelGate"/>; packed tensors only.</summary>
internal sealed class GatedPointwiseProvider : OpProvider<GatedPointwiseOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [PointwiseConvPackedKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(GatedPointwiseOp g)
    {
        Require(g, g.Gate.Shape == new TensorShape(g.Conv.InC, 1, 1), $"its gate '{g.Gate.Name}' is {g.Gate.Shape}, not one value per input channel");
        return OpRegistry.OutputShape(g.Conv);
    }

    /// <inheritdoc/>
    public override float[] Reference(GatedPointwiseOp g, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var gated = ElementwiseReference.Activate(ImportedOpsReference.Mul(GateOf(g, g.Conv.Input), values[g.Conv.Input], values[g.Gate], batch), g.GateActivation);
        return ConvReference.Run(g.Conv, gated, g.Conv.Residual is null ? null : values[g.Conv.Residual], batch);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(GatedPointwiseOp g, KernelContext ctx, KernelChoice choice) => [GatedPointwiseConvKernel.Plan(g, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(GatedPointwiseOp g) => g.Conv.Inputs.Append(g.Output).All(v => v.Layout == TensorLayout.Nc4hw4);

    /// <summary>ONNX has no gated read: the product, its activation if any, then the convolution on it.</summary>
    public override void Export(GatedPointwiseOp g, OnnxGraphWriter w)
    {
        var scaled = new Value($"{g.Name}/gated_input", g.Conv.Input.Shape, g.Conv.Input.Layout);
        OpRegistry.Export(GateOf(g, scaled) with { Name = $"{g.Name}/gate" }, w);
        if (g.GateActivation != Activation.None)
        {
            var activated = new Value($"{g.Name}/gated_input_activated", scaled.Shape, scaled.Layout);
            OpRegistry.Export(new ActivationOp($"{g.Name}/gate_activation", scaled, activated, g.GateActivation), w);
            scaled = activated;
        }
        OpRegistry.Export(g.Conv with { Input = scaled }, w);
    }

    // The product the op reads through, as a MulOp writing output.
    private static MulOp GateOf(GatedPointwiseOp g, Value output) => new(g.Name, g.Conv.Input, g.Gate, output);

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(GatedPointwiseOp g) => OpRegistry.Constants(g.Conv);

    /// <inheritdoc/>
    public override long Params(GatedPointwiseOp g) => OpRegistry.Params(g.Conv);

    /// <inheritdoc/>
    public override long MultiplyAdds(GatedPointwiseOp g) => OpRegistry.MultiplyAdds(g.Conv);
}
