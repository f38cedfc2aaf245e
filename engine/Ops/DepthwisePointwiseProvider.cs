using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A packed depthwise convolution and the 1x1 that alone reads it as one dispatch
/// (shaders/depthwise_pointwise_packed.comp), made by <see cref="Passes.FusePackedDepthwisePointwise"/> after packing.</summary>
internal sealed class DepthwisePointwiseProvider : OpProvider<DepthwisePointwiseOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [DepthwisePointwisePackedKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(DepthwisePointwiseOp f)
    {
        Require(f, f.Depthwise.Input == f.Input && f.Pointwise.Input == f.Depthwise.Output && f.Pointwise.Output == f.Output,
            "its depthwise part must read its input and its 1x1 part read the depthwise output and write its output");
        return OpRegistry.OutputShape(f.Pointwise);
    }

    /// <summary>The parts run one after the other: the oracle does not fuse.</summary>
    public override float[] Reference(DepthwisePointwiseOp f, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var d = ConvReference.Run(f.Depthwise, values[f.Input], null, batch);
        return ConvReference.Run(f.Pointwise, d, f.Pointwise.Residual is null ? null : values[f.Pointwise.Residual], batch);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(DepthwisePointwiseOp f, KernelContext ctx, KernelChoice choice) =>
        DepthwisePointwisePackedKernel.Plan(f, ctx);

    /// <summary>Packed tensors only: the pass makes it from packed parts.</summary>
    public override bool SupportsLayouts(DepthwisePointwiseOp f) => f.Inputs.Append(f.Output).All(v => v.Layout == TensorLayout.Nc4hw4);

    /// <summary>ONNX has no fused pair: its parts.</summary>
    public override void Export(DepthwisePointwiseOp f, OnnxGraphWriter w)
    {
        foreach (var part in f.Parts) OpRegistry.Export(part, w);
    }

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(DepthwisePointwiseOp f) => f.Parts.SelectMany(PartConstants);

    /// <inheritdoc/>
    public override long Params(DepthwisePointwiseOp f) => f.Parts.Sum(OpRegistry.Params);

    /// <inheritdoc/>
    public override long MultiplyAdds(DepthwisePointwiseOp f) => f.Parts.Sum(OpRegistry.MultiplyAdds);
}
