using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Nearest or bilinear spatial resize (shaders/resize.comp), ONNX Resize / Upsample, ncnn Interp; NCHW, or NC4HW4
/// throughout where its input is packed whole quads (an FPN's upsampling between packed 1x1 convolutions).</summary>
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

    /// <inheritdoc/>
    public override bool SupportsLayouts(ResizeOp r) => OneLayout(r) && (r.Output.Layout == TensorLayout.Nchw || r.Input.Shape.C % 4 == 0);

    /// <inheritdoc/>
    public override ResizeOp? WithPackedTensors(ResizeOp r, IChannelPacking packing) =>
        packing.IsPacked(r.Input) && r.Input.Shape.C % 4 == 0
            ? r with { Input = packing.Packed(r.Input), Output = packing.ProducedPacked(r.Output) }
            : null;

    /// <summary>Nearest picks an input pixel; bilinear mixes non-negative ones with non-negative weights.</summary>
    public override bool NonNegative(ResizeOp r, Func<Value, bool> isNonNegative) => isNonNegative(r.Input);
}
