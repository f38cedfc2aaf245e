using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A copy into another memory layout (shaders/layout_convert.comp), inserted by the channel-packing pass.</summary>
internal sealed class LayoutConvertProvider : OpProvider<LayoutConvertOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [LayoutConvertKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "a storage-layout copy made by the channel-packing pass: ONNX tensors have no layout (export the graph before the passes)";

    /// <inheritdoc/>
    public override TensorShape OutputShape(LayoutConvertOp l) => l.Input.Shape;

    /// <summary>The oracle works on logical NCHW: a layout change is a storage detail, the values are unchanged.</summary>
    public override float[] Reference(LayoutConvertOp l, IReadOnlyDictionary<Value, float[]> values, int batch) => (float[])values[l.Input].Clone();

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(LayoutConvertOp l, KernelContext ctx, KernelChoice choice) => [LayoutConvertKernel.Plan(l, ctx)];

    /// <summary>Any pair of layouts: converting is what it does.</summary>
    public override bool SupportsLayouts(LayoutConvertOp l) => true;
}
