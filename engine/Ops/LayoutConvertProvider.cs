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
    public override TensorShape OutputShape(LayoutConvertOp l) => l.DropsPadding ? l.Output.Shape : l.Input.Shape;

    /// <summary>The oracle works on logical NCHW: a layout change is a storage detail, the values are unchanged (but
    /// for the padding channels dropped, each batch item's leading channels kept).</summary>
    public override float[] Reference(LayoutConvertOp l, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var x = values[l.Input];
        if (!l.DropsPadding) return (float[])x.Clone();
        int kept = l.Output.Shape.Elements, stride = l.Input.Shape.Elements;
        var y = new float[batch * kept];
        for (int n = 0; n < batch; n++) Array.Copy(x, n * stride, y, n * kept, kept);
        return y;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(LayoutConvertOp l, KernelContext ctx, KernelChoice choice) => [LayoutConvertKernel.Plan(l, ctx)];

    /// <summary>Any pair of layouts: converting is what it does.</summary>
    public override bool SupportsLayouts(LayoutConvertOp l) => true;
}
