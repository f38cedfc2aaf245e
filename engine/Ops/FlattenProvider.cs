using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>C x H x W to (C*H*W) x 1 x 1 (or another shape of that size) in NCHW order: the same memory, so no kernel runs.</summary>
internal sealed class FlattenProvider : OpProvider<FlattenOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [];

    /// <inheritdoc/>
    public override string NoKernelReason => "its output is its input's memory (an NCHW flatten keeps the order), so the planner aliases the two and no dispatch runs";

    /// <summary>C*H*W x 1 x 1, or (a reshape, <see cref="GraphBuilder.Reshape"/>) any shape of as many elements: the output's.</summary>
    public override TensorShape OutputShape(FlattenOp f)
    {
        Require(f, f.Output.Shape.Elements == f.Input.Shape.Elements, $"its output {f.Output.Shape} does not have the {f.Input.Shape.Elements} elements of its input {f.Input.Shape}");
        return f.Output.Shape;
    }

    /// <summary>NCHW flatten keeps the memory order, so the values are the same array contents.</summary>
    public override float[] Reference(FlattenOp f, IReadOnlyDictionary<Value, float[]> values, int batch) => (float[])values[f.Input].Clone();

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(FlattenOp f, KernelContext ctx, KernelChoice choice) => [];

    /// <inheritdoc/>
    public override void Export(FlattenOp f, OnnxGraphWriter w) =>
        w.AddNode("Flatten", f.Name, [w.Tensor(f.Input, w.RankOf(f.Input))], w.Define(f.Output, 2), Attr.Int("axis", 1));
}
