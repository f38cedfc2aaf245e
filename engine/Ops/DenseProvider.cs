using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Fully connected layer with fused bias and activation (shaders/dense.comp).</summary>
internal sealed class DenseProvider : OpProvider<DenseOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [DenseKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(DenseOp d)
    {
        Require(d, d.Weights.Length % d.InFeatures == 0, $"{d.Weights.Length} weights are not whole rows of its {d.InFeatures} input features");
        int units = d.Weights.Length / d.InFeatures;
        Require(d, d.Bias is null || d.Bias.Length == units, $"its bias has {d.Bias?.Length} values for {units} units");
        return new TensorShape(units, 1, 1);
    }

    /// <inheritdoc/>
    public override float[] Reference(DenseOp d, IReadOnlyDictionary<Value, float[]> values, int batch) => DenseReference.Dense(d, values[d.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(DenseOp d, KernelContext ctx, KernelChoice choice) => [DenseKernel.Plan(d, ctx, choice.KeepsInt8Weights(ctx.DeviceKind))];

    /// <inheritdoc/>
    public override bool TakesActivation(DenseOp d) => d.Activation == Activation.None;

    /// <inheritdoc/>
    public override DenseOp WithActivation(DenseOp d, Activation activation, Value output) => d with { Activation = activation, Output = output };

    /// <summary>Gemm on [N, In] (builders feed Dense straight from a pooled C x 1 x 1 value); our weights are [Out, In],
    /// so Y = X * W^T.</summary>
    public override void Export(DenseOp d, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(d.Activation, d);
        var inputs = new List<string>
        {
            w.Tensor(d.Input, 2),
            w.AddFloatInitializer($"{d.Name}.weight", d.Weights, d.OutFeatures, d.InFeatures),
        };
        if (d.Bias is not null)
            inputs.Add(w.AddFloatInitializer($"{d.Name}.bias", d.Bias, d.OutFeatures));
        string output = w.Define(d.Output, 2);
        string gemm = d.Activation == Activation.None ? output : w.Temp($"{d.Name}_gemm");
        w.AddNode("Gemm", d.Name, inputs, gemm, Attr.Int("transB", 1));
        if (d.Activation != Activation.None)
            w.Activate(d.Activation, $"{d.Name}_act", gemm, output, d);
    }

    /// <inheritdoc/>
    public override bool NonNegative(DenseOp d, Func<Value, bool> isNonNegative) => EndsInRelu(d.Activation);

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(DenseOp d) => WeightsAndBias(d.Weights, d.Bias);

    /// <inheritdoc/>
    public override long Params(DenseOp d) => (long)d.Weights.Length + (d.Bias?.Length ?? 0);

    /// <inheritdoc/>
    public override long MultiplyAdds(DenseOp d) => (long)d.InFeatures * d.OutFeatures;
}
