using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Softmax along one axis of [Outer, Axis, Inner] (shaders/softmax_axis.comp), as ONNX Softmax on any axis.</summary>
internal sealed class AxisSoftmaxProvider : OpProvider<AxisSoftmaxOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [AxisSoftmaxKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "not mapped yet (it would be a Reshape to [N, Outer, Axis, Inner], Softmax on axis 2 and a Reshape back); only the ONNX importer makes it";

    /// <inheritdoc/>
    public override TensorShape OutputShape(AxisSoftmaxOp s)
    {
        Require(s, (long)s.Outer * s.Axis * s.Inner == s.Input.Shape.Elements,
            $"{s.Outer} x {s.Axis} x {s.Inner} is not the {s.Input.Shape.Elements} elements of its input {s.Input.Shape}");
        return s.Input.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(AxisSoftmaxOp s, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        AxisSoftmaxReference.Run(s, values[s.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(AxisSoftmaxOp s, KernelContext ctx, KernelChoice choice) => [AxisSoftmaxKernel.Plan(s, ctx)];
}
