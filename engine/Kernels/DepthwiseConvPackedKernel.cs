using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_conv_packed.comp: depthwise convolution on channel-packed (NC4HW4) tensors, 4
/// channels x <see cref="PixelsPerInvocation"/> pixels of a row per invocation, taps and bias read as uniforms.
/// Channel groups are split into dispatches whose filters fit one uniform window. Runs every depthwise
/// convolution the channel-packing pass packed.</summary>
public static class DepthwiseConvPackedKernel
{
    public const string Shader = "depthwise_conv_packed";

    /// <summary>Output pixels of a row per invocation. Measured on lavapipe (MobileNetV2-1.0-224, all depthwise
    /// layers): 2 pixels 12.2 ms, 4 pixels 8.2, 6 pixels 8.1, 8 pixels 10.0; two output rows per invocation (as
    /// the planar kernel does) 10.4 ms and three 11.0: eight vec4 accumulators and nine vec4 taps spill.</summary>
    public const int PixelsPerInvocation = 4;

    /// <summary>Floats of filters per group of 4 channels: a vec4 per tap, then one for the bias.</summary>
    public static int FloatsPerGroup(Conv2dOp op) => (op.KernelH * op.KernelW + 1) * 4;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        if (i.C % 4 != 0)
            throw new NotSupportedException($"{op}: channel-packed depthwise convolution needs a channel count that is a multiple of 4, got {i.C}");
        int perGroup = FloatsPerGroup(op);
        if (perGroup > ctx.UniformWindowElements)
            throw new NotSupportedException($"{op}: a {op.KernelH}x{op.KernelW} filter does not fit the device's {ctx.UniformWindowElements * 4}-byte uniform window");
        int groups = i.C / 4;
        int groupsPerDispatch = ctx.UniformWindowElements / perGroup;
        int px = Math.Min(PixelsPerInvocation, o.W);
        int work = o.H * ((o.W + px - 1) / px);
        int local = KernelContext.LocalSizeFor(work);
        int[] spec =
        [
            local, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, (int)op.Activation, KernelContext.Flag(op.Residual is not null), px,
        ];
        var reads = ConvDispatch.Reads(op.Input, op.Residual, ctx);
        var dispatches = new List<KernelDispatch>();
        for (int first = 0; first < groups; first += groupsPerDispatch)
        {
            int count = Math.Min(groupsPerDispatch, groups - first);
            long window = ctx.Weights.Add(Pack(op, first, count));
            var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output), 0, 0,
                Aux0: (uint)first);
            var label = count == groups ? op.Name : $"{op.Name}[{first * 4}:{(first + count) * 4}]";
            // Channel groups are contiguous in NC4HW4 as channels are in NCHW: the same bytes per dispatch.
            dispatches.Add(new KernelDispatch(label, Shader, spec, push,
                (KernelContext.Groups(work, local), (uint)count, (uint)ctx.Batch), reads, ctx.ChannelBytes(op.Output, first * 4, count * 4))
            {
                UniformWindowOffsetBytes = checked((uint)(window * 4)),
            });
        }
        return dispatches;
    }

    /// <summary>Channel groups first..first+count as [group][tap][4 channels], then each group's 4 biases.</summary>
    internal static float[] Pack(Conv2dOp op, int first, int count)
    {
        int taps = op.KernelH * op.KernelW, perGroup = FloatsPerGroup(op);
        var packed = new float[count * perGroup];
        for (int g = 0; g < count; g++)
            for (int j = 0; j < 4; j++)
            {
                int c = (first + g) * 4 + j;
                for (int t = 0; t < taps; t++) packed[g * perGroup + t * 4 + j] = op.Weights[c * taps + t];
                packed[g * perGroup + taps * 4 + j] = op.Bias?[c] ?? 0f;
            }
        return packed;
    }
}
