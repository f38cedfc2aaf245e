using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Softmax over the channels of a C x 1 x 1 tensor (shaders/softmax.comp), the classifier's last op.</summary>
internal sealed class SoftmaxProvider : OpProvider<SoftmaxOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [SoftmaxKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(SoftmaxOp s) => s.Input.Shape;

    /// <inheritdoc/>
    public override float[] Reference(SoftmaxOp s, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        DenseReference.Softmax(values[s.Input], s.Input.Shape, batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(SoftmaxOp s, KernelContext ctx, KernelChoice choice) => [SoftmaxKernel.Plan(s, ctx)];

    /// <summary>Ours normalises over channels at each pixel; opset 13 Softmax normalises along the one axis given, so
    /// axis 1 is right at either rank. Vectors go as [N, C], the usual classifier output.</summary>
    public override void Export(SoftmaxOp s, OnnxGraphWriter w)
    {
        int rank = OnnxGraphWriter.IsVector(s.Input) ? 2 : 4;
        w.AddNode("Softmax", s.Name, [w.Tensor(s.Input, rank)], w.Define(s.Output, rank), Attr.Int("axis", 1));
    }
}
