using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Local response normalisation across channels (shaders/lrn.comp), NCHW or, channels a multiple of 4, NC4HW4
/// (GoogLeNet's LRNs sit between packed layers); exported as ONNX's LRN, which defines the same sum over the Size
/// channels centred on each one.</summary>
internal sealed class LrnProvider : OpProvider<LrnOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [LrnKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(LrnOp l)
    {
        Require(l, l.Size > 0 && l.Size % 2 == 1, $"size {l.Size} must be odd and positive");
        Require(l, float.IsFinite(l.Alpha) && float.IsFinite(l.Beta) && float.IsFinite(l.Bias), "alpha, beta and bias must be finite");
        return l.Input.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(LrnOp l, IReadOnlyDictionary<Value, float[]> values, int batch) => LrnReference.Run(l, values[l.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(LrnOp l, KernelContext ctx, KernelChoice choice) => [LrnKernel.Plan(l, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(LrnOp l) => OneLayout(l) && (l.Output.Layout == TensorLayout.Nchw || KernelCapabilities.LrnRunsPacked(l));

    /// <summary>Packed where its input exists packed.</summary>
    public override LrnOp? WithPackedTensors(LrnOp l, IChannelPacking packing) =>
        packing.IsPacked(l.Input) && KernelCapabilities.LrnRunsPacked(l)
            ? l with { Input = packing.Packed(l.Input), Output = packing.ProducedPacked(l.Output) }
            : null;

    /// <inheritdoc/>
    public override void Export(LrnOp l, OnnxGraphWriter w) =>
        w.AddNode("LRN", l.Name, [w.Tensor(l.Input, 4)], w.Define(l.Output, 4),
            Attr.Int("size", l.Size), Attr.Float("alpha", l.Alpha), Attr.Float("beta", l.Beta), Attr.Float("bias", l.Bias));
}
