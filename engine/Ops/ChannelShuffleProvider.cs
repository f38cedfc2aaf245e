using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>ShuffleNet's channel shuffle (shaders/channel_shuffle.comp).</summary>
internal sealed class ChannelShuffleProvider : OpProvider<ChannelShuffleOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ChannelShuffleKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(ChannelShuffleOp cs)
    {
        Require(cs, cs.Groups > 0 && cs.Input.Shape.C % cs.Groups == 0, $"{cs.Groups} groups do not divide its {cs.Input.Shape.C} channels");
        return cs.Input.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(ChannelShuffleOp cs, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ShuffleReference.ChannelShuffle(cs, values[cs.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ChannelShuffleOp cs, KernelContext ctx, KernelChoice choice) => [ChannelShuffleKernel.Plan(cs, ctx)];

    /// <inheritdoc/>
    public override bool IsChannelCopy => true;

    /// <summary>Reshape to [N, groups, C / groups, H, W], swap axes 1 and 2, reshape back: the form PyTorch exports.</summary>
    public override void Export(ChannelShuffleOp cs, OnnxGraphWriter w)
    {
        var s = cs.Input.Shape;
        var split = w.AddInt64Initializer($"{cs.Name}.split_shape", [0, cs.Groups, s.C / cs.Groups, s.H, s.W]);
        var merged = w.AddInt64Initializer($"{cs.Name}.merged_shape", [0, s.C, s.H, s.W]);
        string grouped = w.Temp($"{cs.Name}_grouped"), swapped = w.Temp($"{cs.Name}_swapped");
        w.AddNode("Reshape", $"{cs.Name}_split", [w.Tensor(cs.Input, 4), split], grouped);
        w.AddNode("Transpose", $"{cs.Name}_transpose", [grouped], swapped, Attr.Ints("perm", 0, 2, 1, 3, 4));
        w.AddNode("Reshape", $"{cs.Name}_merge", [swapped, merged], w.Define(cs.Output, 4));
    }
}
