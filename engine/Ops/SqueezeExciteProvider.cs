using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A squeeze-and-excite gate as one dispatch (shaders/squeeze_excite.comp): global average pool, squeeze and
/// excite 1x1 convolutions, made by the squeeze-excite fusion pass. Reads the packed body, writes C x 1 x 1.</summary>
internal sealed class SqueezeExciteProvider : OpProvider<SqueezeExciteOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [SqueezeExciteKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "made by the squeeze-excite fusion pass: export the graph before the passes (its pool and convolutions export)";

    /// <inheritdoc/>
    public override TensorShape OutputShape(SqueezeExciteOp se) => OpRegistry.OutputShape(se.Excite);

    /// <inheritdoc/>
    public override float[] Reference(SqueezeExciteOp se, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var pooled = PoolReference.AvgPool(se.Pool, values[se.Pool.Input], batch);
        return ConvReference.Run(se.Excite, ConvReference.Run(se.Squeeze, pooled, null, batch), null, batch);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(SqueezeExciteOp se, KernelContext ctx, KernelChoice choice) => [SqueezeExciteKernel.Plan(se, ctx)];

    /// <summary>A packed input (or a pooled C x 1 x 1, the same bytes in both layouts); the gate is C x 1 x 1 too.</summary>
    public override bool SupportsLayouts(SqueezeExciteOp se) =>
        (se.Pool.Input.Layout == TensorLayout.Nc4hw4 || KernelCapabilities.SameInBothLayouts(se.Pool.Input)) &&
        KernelCapabilities.SameInBothLayouts(se.Output);

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(SqueezeExciteOp se) => se.Parts.SelectMany(PartConstants);

    /// <inheritdoc/>
    public override long Params(SqueezeExciteOp se) => se.Parts.Sum(OpRegistry.Params);

    /// <inheritdoc/>
    public override long MultiplyAdds(SqueezeExciteOp se) => se.Parts.Sum(OpRegistry.MultiplyAdds);
}
