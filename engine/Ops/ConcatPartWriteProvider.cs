using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>One part of a channel concatenation computed straight into its channels of the joined buffer
/// (<see cref="ConcatPartWriteKernel"/>: the part's own kernel, retargeted), made by <see cref="Passes.FoldConcatWriters"/>.</summary>
internal sealed class ConcatPartWriteProvider : OpProvider<ConcatPartWriteOp>
{
    /// <summary>The part kernels that can write into a channel range (see <see cref="OpProvider{TOp}.WritesIntoConcat"/>).</summary>
    public override IReadOnlyList<KernelId> Kernels { get; } =
        [AvgPoolKernel.Id, PointwiseConvGroupedKernel.Id, PointwiseConvGroupedPackedKernel.Id, PointwiseConvPackedKernel.Id, PointwiseConvSharedKernel.Id,
            WinogradConvKernel.InputId, WinogradConvKernel.OutputId, Conv2dPackedKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "made by the concatenation-writer folding pass (a partial write in place): export the graph before the passes";

    /// <summary>The buffer it writes into (<see cref="ConcatPartWriteOp.Into"/>, or the output's own for the first writer),
    /// where the part fits.</summary>
    public override TensorShape OutputShape(ConcatPartWriteOp w)
    {
        var (part, buffer) = (OpRegistry.OutputShape(w.Part), w.Into?.Shape ?? w.Output.Shape);
        Require(w, part.H == buffer.H && part.W == buffer.W && w.FirstChannel >= 0 && w.FirstChannel + part.C <= buffer.C,
            $"part {part} does not fit from channel {w.FirstChannel} of {buffer}");
        return buffer;
    }

    /// <summary>The part as its own op would compute it, placed into its channels of (a copy of) the buffer so far.</summary>
    public override float[] Reference(ConcatPartWriteOp w, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ConcatPartWriteReference.Place(OpRegistry.Reference(w.Part, values, batch), w.Part.Output.Shape,
            w.Into is null ? null : values[w.Into], w.Output.Shape, w.FirstChannel, batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ConcatPartWriteOp w, KernelContext ctx, KernelChoice choice) => ConcatPartWriteKernel.Plan(w, ctx, choice);

    /// <summary>The part's (a Winograd convolution's tiles).</summary>
    public override long ScratchElements(ConcatPartWriteOp w, KernelChoice choice, int activationBytes) =>
        KernelSelector.ScratchElements(w.Part, choice, activationBytes);

    /// <inheritdoc/>
    public override bool SupportsLayouts(ConcatPartWriteOp w) =>
        OpRegistry.For(w.Part).WritesIntoConcat(w.Part) && w.Output.Layout == w.Part.Output.Layout && (w.Into ?? w.Output).Layout == w.Output.Layout;

    /// <summary>Not a choice: it writes some channels of Into and leaves the rest, so it must be Into's memory.</summary>
    public override Value? InPlaceInput(ConcatPartWriteOp w) => w.Into;

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(ConcatPartWriteOp w) => OpRegistry.Constants(w.Part);

    /// <inheritdoc/>
    public override long Params(ConcatPartWriteOp w) => OpRegistry.Params(w.Part);

    /// <inheritdoc/>
    public override long MultiplyAdds(ConcatPartWriteOp w) => OpRegistry.MultiplyAdds(w.Part);
}
