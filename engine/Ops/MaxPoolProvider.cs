using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Max pooling (shaders/max_pool.comp), padded positions never the maximum; NCHW, or NC4HW4 throughout (PACKED).</summary>
internal sealed class MaxPoolProvider : OpProvider<MaxPoolOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [MaxPoolKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(MaxPoolOp p) => AvgPoolProvider.PoolShape(p, p.Input, p.KernelH, p.KernelW, p.StrideH, p.StrideW, p.Pad);

    /// <inheritdoc/>
    public override float[] Reference(MaxPoolOp p, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.MaxPool(p, values[p.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(MaxPoolOp p, KernelContext ctx, KernelChoice choice) => [MaxPoolKernel.Plan(p, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(MaxPoolOp p) => OneLayout(p) && (p.Output.Layout == TensorLayout.Nchw || KernelCapabilities.MaxPoolRunsPacked(p));

    /// <inheritdoc/>
    public override MaxPoolOp? WithPackedTensors(MaxPoolOp p, IChannelPacking packing) =>
        packing.IsPacked(p.Input) && KernelCapabilities.MaxPoolRunsPacked(p)
            ? p with { Input = packing.Packed(p.Input), Output = packing.ProducedPacked(p.Output) }
            : null;

    /// <inheritdoc/>
    public override bool NonNegative(MaxPoolOp p, Func<Value, bool> isNonNegative) => isNonNegative(p.Input);

    /// <inheritdoc/>
    public override void Export(MaxPoolOp p, OnnxGraphWriter w) =>
        w.AddNode("MaxPool", p.Name, [w.Tensor(p.Input, 4)], w.Define(p.Output, 4),
            Attr.Ints("kernel_shape", p.KernelH, p.KernelW),
            Attr.Ints("strides", p.StrideH, p.StrideW),
            Attr.Ints("pads", Attr.Pads(p.Pad)));
}
