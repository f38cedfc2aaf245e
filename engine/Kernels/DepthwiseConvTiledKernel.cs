using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_conv_tiled.comp: depthwise convolution computing several outputs of a row per
/// invocation, filters and bias read as uniforms. Channels are split into dispatches whose filters fit one
/// uniform window.</summary>
public static class DepthwiseConvTiledKernel
{
    /// <summary>shaders/depthwise_conv_tiled.comp.</summary>
    public static readonly KernelId<DepthwiseConvTiledConstants> Id = new("depthwise_conv_tiled");

    /// <summary>Output pixels of a row per invocation.</summary>
    public const int PixelsPerInvocation = 4;
    /// <summary>Output rows per invocation: each input row loaded feeds every output row that needs it. Measured on
    /// lavapipe (MobileNetV2-1.0-224, all depthwise layers): 1 row 12.0 ms, 2 rows 9.7, 3 rows 10.6, 4 rows 13.8
    /// (more accumulators spill and fewer invocations share the work).</summary>
    public const int RowsPerInvocation = 2;

    public static int Vec4sPerChannel(Conv2dOp op) => (op.KernelH * op.KernelW + 1 + 3) / 4;

    /// <summary>True when at least one channel's taps fit the window and the span of input columns stays small.</summary>
    public static bool Fits(Conv2dOp op, KernelContext ctx) =>
        Vec4sPerChannel(op) * 4 <= ctx.UniformWindowElements && op.KernelW <= 7 && op.StrideW <= 2;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int px = Math.Min(PixelsPerInvocation, o.W);
        int perChannel = Vec4sPerChannel(op) * 4;
        int channelsPerDispatch = Math.Max(1, ctx.UniformWindowElements / perChannel);
        int rows = Math.Min(RowsPerInvocation, o.H);
        int work = (o.H + rows - 1) / rows * ((o.W + px - 1) / px);
        int local = KernelContext.LocalSizeFor(work);
        var spec = new DepthwiseConvTiledConstants(
            local, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left,
            op.Activation, op.Residual is not null, px, rows);
        var reads = ConvDispatch.Reads(op.Input, op.Residual, ctx);
        var dispatches = new List<KernelDispatch>();
        for (int first = 0; first < i.C; first += channelsPerDispatch)
        {
            int count = Math.Min(channelsPerDispatch, i.C - first);
            long window = ctx.Weights.Add(Pack(op, first, count, perChannel));
            var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output), 0, 0,
                Aux0: (uint)first);
            var label = count == i.C ? op.Name : $"{op.Name}[{first}:{first + count}]";
            dispatches.Add(KernelDispatch.Create(label, Id, spec, push,
                (KernelContext.Groups(work, local), (uint)count, (uint)ctx.Batch), reads,
                ctx.ChannelBytes(op.Output, first, count))
            with
            {
                UniformWindowOffsetBytes = checked((uint)(window * 4)),
            });
        }
        return dispatches;
    }

    /// <summary>Per channel: its KH*KW taps, then its bias, padded to whole vec4s.</summary>
    private static float[] Pack(Conv2dOp op, int first, int count, int perChannel)
    {
        int taps = op.KernelH * op.KernelW;
        var packed = new float[count * perChannel];
        for (int c = 0; c < count; c++)
        {
            Array.Copy(op.Weights, (first + c) * taps, packed, c * perChannel, taps);
            packed[c * perChannel + taps] = op.Bias?[first + c] ?? 0f;
        }
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/depthwise_conv_tiled.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct DepthwiseConvTiledConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    Graph.Activation Act, GlslBool HasResidual, int Px, int Rows) : ISpecConstants;
