using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_conv_packed.comp: depthwise convolution on channel-packed (NC4HW4) tensors, 4
/// channels x <see cref="PixelsPerInvocation"/> pixels of a row per invocation, inputs, taps and bias read as
/// texels; one dispatch per layer. Runs every depthwise convolution the channel-packing pass packed.</summary>
internal static class DepthwiseConvPackedKernel
{
    /// <summary>shaders/depthwise_conv_packed.comp.</summary>
    public static readonly KernelId<DepthwiseConvPackedConstants> Id = new("depthwise_conv_packed");

    /// <summary>Output pixels of a row per invocation. Measured on lavapipe (MobileNetV2-1.0-224, all depthwise
    /// layers): 2 pixels 12.2 ms, 4 pixels 8.2, 6 pixels 8.1, 8 pixels 10.0; two output rows per invocation (as
    /// the planar kernel does) 10.4 ms and three 11.0: eight vec4 accumulators and nine vec4 taps spill.</summary>
    public const int PixelsPerInvocation = 4;

    /// <summary>Output pixels per invocation for rows <paramref name="outW"/> wide and filters <paramref name="kernelW"/>
    /// wide: a whole row where it is at most 7 pixels (7 x 7 layers: one group per row instead of a 4 and a 3 whose
    /// fourth lane idles); groups of 7 where a 5x5 (or wider) filter's rows divide into them (11 columns loaded per 7
    /// outputs instead of 8 per 4); two groups of half a row where rows are 20-28 pixels (3x3) or 15-22 (5x5); else
    /// <see cref="PixelsPerInvocation"/>. A longer group loads each tap once for more outputs and overlaps its
    /// neighbours' input columns less, and half rows leave no pixel slot past the row's end. Measured on lavapipe,
    /// interleaved in one process (scripts/interleave-kernels.fsx; docs/measurements.md): MobileNetV3-Large's three
    /// 7 x 7 5x5 layers 0.59-0.69 ms each with 4 pixels, 0.32-0.40 with 7; its 28-wide 5x5 layers 0.40-0.57 ms minimum
    /// with 4, 0.36-0.49 with 7. One llvmpipe thread, minimum ms per layer: FastestDet's 22-wide 5x5 head layers 0.33
    /// with 4 pixels, 0.22 with 11 (1.1 with one group of 22), its 22-wide 3x3 ones 0.092 / 0.073 (11);
    /// MobileNetV2's 28-wide 3x3 layers 0.46 / 0.38 (14) and its 56 -> 28 stride-2 layer 0.43 / 0.39; yolo-fastest-1.1's
    /// 20-wide ones 0.17 / 0.15 (10). Rows of 11, 14 (3x3), 44, 56 and 112 were no faster with other groups than with
    /// 4; 8 pixels was slower than 4 on every width tried.</summary>
    public static int PixelsFor(int outW, int kernelW)
    {
        if (outW <= 7) return outW;
        if (kernelW >= 5 && outW % 7 == 0) return 7;
        var (shortest, longest) = kernelW >= 5 ? (15, 22) : (20, 28);
        return outW >= shortest && outW <= longest ? (outW + 1) / 2 : PixelsPerInvocation;
    }

    /// <summary>Floats of filters per group of 4 channels: a vec4 per tap, then one for the bias.</summary>
    public static int FloatsPerGroup(Conv2dOp op) => (op.KernelH * op.KernelW + 1) * 4;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx) => Plan(op, ctx, op.Input, op.Output);

    /// <summary>The dispatch for <paramref name="op"/>'s filters and shapes reading <paramref name="input"/> and writing
    /// <paramref name="output"/> (<see cref="MappedConvKernel"/>: tensors wider than the convolution's).</summary>
    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, Graph.Value input, Graph.Value output)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        if (i.C % 4 != 0)
            throw new NotSupportedException($"{op}: channel-packed depthwise convolution needs a channel count that is a multiple of 4, got {i.C}");
        int groups = i.C / 4;
        int px = PixelsFor(o.W, op.KernelW);
        int work = o.H * ((o.W + px - 1) / px);
        int local = KernelContext.LocalSizeFor(work);
        var spec = new DepthwiseConvPackedConstants(
            local, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left,
            op.Activation, op.Residual is not null, px);
        var pack = Pack(op);
        uint filters = ctx.AddWeights(pack);
        ctx.RequireTexels(op with { Input = input }, filters, pack.Length);
        var push = new PushOffsets(ctx.Offset(input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(output), filters, 0);
        return [KernelDispatch.Create(op.Name, Id, spec, push,
            (KernelContext.Groups(work, local), (uint)groups, (uint)ctx.Batch), ConvDispatch.Reads(input, op.Residual, ctx), [ctx.Bytes(output)])];
    }

    /// <summary>The filters as [group of 4 channels][tap][4 channels], each group followed by its 4 biases.</summary>
    internal static float[] Pack(Conv2dOp op)
    {
        int count = op.Input.Shape.C / 4;
        int taps = op.KernelH * op.KernelW, perGroup = FloatsPerGroup(op);
        var packed = new float[count * perGroup];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < 4; j++)
            {
                int c = g * 4 + j;
                for (int t = 0; t < taps; t++) packed[g * perGroup + t * 4 + j] = op.Weights[c * taps + t];
                packed[g * perGroup + taps * 4 + j] = op.Bias?[c] ?? 0f;
            }
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/depthwise_conv_packed.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct DepthwiseConvPackedConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    Graph.Activation Act, GlslBool HasResidual, int Px, int InStrideC4 = 0, int OutStrideC4 = 0) : ISpecConstants;
