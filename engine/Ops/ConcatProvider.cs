using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Concatenation along channels (shaders/concat.comp, one dispatch per part); a null part is a block of
/// zeros. Parts of whole channel quads (zero blocks too) join in NC4HW4 with the same kernel.</summary>
internal sealed class ConcatProvider : OpProvider<ConcatOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ConcatKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(ConcatOp c)
    {
        Require(c, c.Parts.Count == c.Channels.Count && c.Parts.Count > 0, $"{c.Parts.Count} parts but {c.Channels.Count} channel counts");
        var plane = c.Parts.FirstOrDefault(p => p is not null)?.Shape ?? c.Output.Shape;
        for (int i = 0; i < c.Parts.Count; i++)
            Require(c, c.Parts[i] is not { } p || p.Shape == new TensorShape(c.Channels[i], plane.H, plane.W),
                $"part {i} '{c.Parts[i]?.Name}' is {c.Parts[i]?.Shape}, not {c.Channels[i]} channels of {plane.H}x{plane.W}");
        return new TensorShape(c.Channels.Sum(), plane.H, plane.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(ConcatOp c, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.Concat(c, c.Parts.Select(p => p is null ? null : values[p]).ToList(), batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ConcatOp c, KernelContext ctx, KernelChoice choice) => ConcatKernel.Plan(c, ctx);

    /// <inheritdoc/>
    public override bool SupportsLayouts(ConcatOp c) => OneLayout(c) && (c.Output.Layout == TensorLayout.Nchw || KernelCapabilities.ConcatRunsPacked(c));

    /// <inheritdoc/>
    /// <remarks>Parts of whole channel quads are contiguous in NC4HW4 too: the same copy kernel joins them.</remarks>
    public override ConcatOp? WithPackedTensors(ConcatOp c, IChannelPacking packing) =>
        KernelCapabilities.ConcatRunsPacked(c) && c.Parts.All(p => p is null || packing.IsPacked(p))
            ? c with { Parts = c.Parts.Select(p => p is null ? null : packing.Packed(p)).ToList(), Output = packing.ProducedPacked(c.Output) }
            : null;

    /// <inheritdoc/>
    public override bool NonNegative(ConcatOp c, Func<Value, bool> isNonNegative) => c.Parts.All(x => x is not null && isNonNegative(x));

    /// <inheritdoc/>
    public override bool IsChannelCopy => true;

    /// <inheritdoc/>
    public override void Export(ConcatOp c, OnnxGraphWriter w)
    {
        if (c.Parts.Any(p => p is null))
            throw new NotSupportedException($"ONNX export: {c} has a block of zeros as a part, which has no ONNX mapping here");
        w.AddNode("Concat", c.Name, c.Parts.Select(p => w.Tensor(p!, 4)), w.Define(c.Output, 4), Attr.Int("axis", 1));
    }
}
