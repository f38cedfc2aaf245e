using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Zero padding of the spatial dimensions (shaders/pad.comp), NCHW or, channels a multiple of 4, NC4HW4; usually
/// folded into the next convolution.</summary>
internal sealed class PadProvider : OpProvider<PadOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [PadKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(PadOp p)
    {
        Require(p, p.Pad.Top >= 0 && p.Pad.Left >= 0 && p.Pad.Bottom >= 0 && p.Pad.Right >= 0, $"negative padding {p.Pad}");
        var s = p.Input.Shape;
        return new TensorShape(s.C, s.H + p.Pad.Top + p.Pad.Bottom, s.W + p.Pad.Left + p.Pad.Right);
    }

    /// <inheritdoc/>
    public override float[] Reference(PadOp p, IReadOnlyDictionary<Value, float[]> values, int batch) => PoolReference.Pad(p, values[p.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(PadOp p, KernelContext ctx, KernelChoice choice) => [PadKernel.Plan(p, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(PadOp p) => OneLayout(p) && (p.Output.Layout == TensorLayout.Nchw || p.Input.Shape.C % 4 == 0);

    /// <summary>Packed where its input exists packed, so a pad between packed layers needs no layout conversion.</summary>
    public override PadOp? WithPackedTensors(PadOp p, IChannelPacking packing) =>
        packing.IsPacked(p.Input) && p.Input.Shape.C % 4 == 0
            ? p with { Input = packing.Packed(p.Input), Output = packing.ProducedPacked(p.Output) }
            : null;

    /// <summary>Opset 11+ Pad takes the pads as an int64 input: all begins (N, C, H, W), then all ends. Mode defaults to zeros.</summary>
    public override void Export(PadOp p, OnnxGraphWriter w)
    {
        var pads = w.AddInt64Initializer($"{p.Name}.pads", [0, 0, p.Pad.Top, p.Pad.Left, 0, 0, p.Pad.Bottom, p.Pad.Right]);
        w.AddNode("Pad", p.Name, [w.Tensor(p.Input, 4), pads], w.Define(p.Output, 4));
    }
}
