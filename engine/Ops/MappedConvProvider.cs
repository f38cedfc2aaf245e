using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A 1x1 or depthwise convolution reading and writing channel quads of larger tensors through quad tables
/// (the packed 1x1 and depthwise kernels with quad tables, <see cref="MappedConvKernel"/>), made by <see cref="Passes.FoldChannelViews"/>; packed tensors only.</summary>
internal sealed class MappedConvProvider : OpProvider<MappedConvOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [PointwiseConvPackedKernel.Id, DepthwiseConvPackedKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "made by the channel-view folding pass (quad gathers and scatters): export the graph before the passes";

    /// <summary>With target quads, the tensor it writes into (<see cref="MappedConvOp.Into"/>, or the output's own for
    /// the first writer); else its convolution's output.</summary>
    public override TensorShape OutputShape(MappedConvOp m) =>
        m.TargetQuads is null ? OpRegistry.OutputShape(m.Conv) : m.Into?.Shape ?? m.Output.Shape;

    /// <inheritdoc/>
    public override float[] Reference(MappedConvOp m, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var source = m.Gate is null
            ? values[m.Source]
            : ImportedOpsReference.Mul(new MulOp(m.Name, m.Source, m.Gate, m.Source), values[m.Source], values[m.Gate], batch);
        return MappedConvReference.Run(m, source, m.Into is null ? null : values[m.Into], batch);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(MappedConvOp m, KernelContext ctx, KernelChoice choice) => [MappedConvKernel.Plan(m, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(MappedConvOp m) => new[] { m.Source, m.Into ?? m.Source, m.Output }.All(v => v.Layout == TensorLayout.Nc4hw4);

    /// <inheritdoc/>
    /// <remarks>Made by FoldChannelViews for the packed kernel only: every tensor it touches is packed.</remarks>
    public override MappedConvOp WithPackedTensors(MappedConvOp m, IChannelPacking packing) => m with
    {
        Conv = m.Conv with { Input = new Value(m.Conv.Input.Name, m.Conv.Input.Shape, TensorLayout.Nc4hw4) },
        Source = packing.Packed(m.Source),
        Into = m.Into is null ? null : packing.Packed(m.Into),
        Output = packing.ProducedPacked(m.Output),
    };

    /// <summary>Not a choice: it writes some channels of Into and leaves the rest, so it must be Into's memory.</summary>
    public override Value? InPlaceInput(MappedConvOp m) => m.Into;

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(MappedConvOp m) => OpRegistry.Constants(m.Conv);

    /// <inheritdoc/>
    public override long Params(MappedConvOp m) => OpRegistry.Params(m.Conv);

    /// <summary>What the kernel computes, quads it gathers and padding channels included.</summary>
    public override long MultiplyAdds(MappedConvOp m) => OpRegistry.MultiplyAdds(m.Conv);
}
