using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Nearest or bilinear spatial resize (shaders/resize.comp), ONNX Resize / Upsample.</summary>
internal sealed class ResizeProvider : OpProvider<ResizeOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ResizeKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "not mapped yet (ONNX Resize with its coordinate and nearest modes and scales); only the ONNX importer makes it";

    /// <summary>The channels are the input's; the size is the one asked for (scales or sizes, fixed at import).</summary>
    public override TensorShape OutputShape(ResizeOp r)
    {
        Require(r, r.ScaleH > 0 && r.ScaleW > 0 && float.IsFinite(r.ScaleH) && float.IsFinite(r.ScaleW), $"scales {r.ScaleH} x {r.ScaleW} must be positive");
        return new TensorShape(r.Input.Shape.C, r.Output.Shape.H, r.Output.Shape.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(ResizeOp r, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.Resize(r, values[r.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ResizeOp r, KernelContext ctx, KernelChoice choice) => [ResizeKernel.Plan(r, ctx)];
}
