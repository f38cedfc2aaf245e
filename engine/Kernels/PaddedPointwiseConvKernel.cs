using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>A packed 1x1 stride-1 convolution with zero padding (ncnn's SqueezeNet conv10: 512 -> 1000 channels, pad 1)
/// as two dispatches: shaders/pad.comp pads the input into the node's scratch, then the packed 1x1 kernel
/// (<see cref="PointwiseConvPackedKernel"/>) runs on the padded plane. conv2d_packed ran that layer as a one-tap implicit
/// GEMM at a third of the packed 1x1's speed on lavapipe, for a copy of the input that costs a few percent of it.
/// Register tiles only: where the GEMMs run in shared memory (GPUs) conv2d_shared keeps the layer.</summary>
internal static class PaddedPointwiseConvKernel
{
    /// <summary>Whether these kernels run <paramref name="c"/>: a padded 1x1 stride-1 convolution of one group and whole quads.</summary>
    public static bool Handles(Conv2dOp c) =>
        c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Groups == 1 && !c.Pad.IsZero &&
        c.InC % 4 == 0 && c.OutC % 4 == 0;

    /// <summary>Scratch elements per sample: the padded input.</summary>
    public static long ScratchElements(Conv2dOp c) => PadKernel.Padded(c.Input.Shape, c.Pad).Elements;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, bool int8Weights)
    {
        if (!Handles(op) || op.Input.Layout != TensorLayout.Nc4hw4 || op.Output.Layout != TensorLayout.Nc4hw4)
            throw new NotSupportedException($"{op}: the padded packed 1x1 needs a padded 1x1 stride-1 convolution of whole quads in NC4HW4");
        var scratch = ctx.Scratch(op);
        var padded = new ByteRange((ulong)ctx.Offset(scratch) * (ulong)ctx.ActivationBytes,
            (ulong)ScratchElements(op) * (ulong)ctx.Batch * (ulong)ctx.ActivationBytes);
        var pad = PadKernel.Plan(op.Name + " (pad)", op.Input.Shape, op.Pad, packed: true, ctx, ctx.Offset(op.Input), ctx.Offset(scratch),
            ctx.Bytes(op.Input), padded);
        // The 1x1 over the padded plane: its output pixels are the padded input's, one for one.
        return [pad, .. PointwiseConvPackedKernel.Plan(op with { Pad = Padding.Zero }, ctx, scratch, op.Output, int8Weights)];
    }
}
