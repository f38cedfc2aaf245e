using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A channel concatenation then a channel shuffle, each part written once to its shuffled channels
/// (shaders/concat_shuffle.comp), made by <see cref="Passes.FoldChannelShuffle"/>.</summary>
internal sealed class ShuffledConcatProvider : OpProvider<ShuffledConcatOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ShuffledConcatKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(ShuffledConcatOp sc)
    {
        var plane = sc.Parts[0].Shape;
        Require(sc, sc.Parts.All(p => p.Shape.H == plane.H && p.Shape.W == plane.W), "its parts differ in height or width");
        int channels = sc.Parts.Sum(p => p.Shape.C);
        Require(sc, sc.Groups > 0 && channels % sc.Groups == 0, $"{sc.Groups} groups do not divide its {channels} channels");
        return new TensorShape(channels, plane.H, plane.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(ShuffledConcatOp sc, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ShuffleReference.Shuffle(ShuffleReference.Concat(sc.Parts.Select(p => values[p]).ToList(), sc.Output.Shape, batch), sc.Output.Shape, sc.Groups, batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ShuffledConcatOp sc, KernelContext ctx, KernelChoice choice) => ShuffledConcatKernel.Plan(sc, ctx);

    /// <inheritdoc/>
    public override bool IsChannelCopy => true;

    /// <summary>The concatenation, then the shuffle.</summary>
    public override void Export(ShuffledConcatOp sc, OnnxGraphWriter w)
    {
        var joined = new Value($"{sc.Name}/concat", sc.Output.Shape);
        OpRegistry.Export(new ConcatOp(sc.Name, sc.Parts.ToList<Value?>(), sc.Parts.Select(x => x.Shape.C).ToList(), joined), w);
        OpRegistry.Export(new ChannelShuffleOp($"{sc.Name}_shuffle", joined, sc.Output, sc.Groups), w);
    }
}
