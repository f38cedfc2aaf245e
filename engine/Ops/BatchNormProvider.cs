using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Inference batch normalisation. The passes fold it into the convolution before it or turn it into a 1x1
/// depthwise convolution (<see cref="Passes.BatchNormToDepthwise"/>); planned alone, it runs as that convolution.</summary>
internal sealed class BatchNormProvider : OpProvider<BatchNormOp>
{
    /// <summary>The convolution kernels its depthwise form may run on.</summary>
    public override IReadOnlyList<KernelId> Kernels => OpRegistry.Of<Conv2dOp>().Kernels;

    /// <inheritdoc/>
    public override TensorShape OutputShape(BatchNormOp bn)
    {
        int c = bn.Input.Shape.C;
        Require(bn, new[] { bn.Gamma, bn.Beta, bn.Mean, bn.Variance }.All(a => a.Length == c), $"gamma, beta, mean and variance must have {c} values, one per channel");
        return bn.Input.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(BatchNormOp bn, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ElementwiseReference.BatchNorm(bn, values[bn.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(BatchNormOp bn, KernelContext ctx, KernelChoice choice) =>
        OpRegistry.Plan(Passes.BatchNormToDepthwise.ToConv(bn), ctx, choice);

    /// <inheritdoc/>
    public override void Export(BatchNormOp bn, OnnxGraphWriter w)
    {
        int ch = bn.Input.Shape.C;
        w.AddNode("BatchNormalization", bn.Name,
            [
                w.Tensor(bn.Input, 4),
                w.AddFloatInitializer($"{bn.Name}.gamma", bn.Gamma, ch),
                w.AddFloatInitializer($"{bn.Name}.beta", bn.Beta, ch),
                w.AddFloatInitializer($"{bn.Name}.mean", bn.Mean, ch),
                w.AddFloatInitializer($"{bn.Name}.variance", bn.Variance, ch),
            ],
            w.Define(bn.Output, 4),
            Attr.Float("epsilon", bn.Epsilon));
    }

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(BatchNormOp bn) =>
        [new("gamma", bn.Gamma), new("beta", bn.Beta), new("mean", bn.Mean), new("variance", bn.Variance)];

    /// <summary>Gamma and beta (the running statistics are not trained).</summary>
    public override long Params(BatchNormOp bn) => (long)bn.Gamma.Length + bn.Beta.Length;
}
