using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d_tiled.comp: register-tiled direct convolution (groups = 1; <see cref="TileFor"/>) with weights read as
/// uniforms, repacked as [block][ci][ky][kx][tile] and split into dispatches that fit the uniform window. Writes
/// NC4HW4 where the channel-packing pass asks (the stem feeding packed convolutions).</summary>
internal static class Conv2dTiledKernel
{
    /// <summary>shaders/conv2d_tiled.comp.</summary>
    public static readonly KernelId<Conv2dTiledConstants> Id = new("conv2d_tiled");
    /// <summary>The widest output-channel tile (the uniform-window fit assumes it).</summary>
    public const int OutputChannelTile = 16;
    public const int PixelsPerInvocation = 4;

    /// <summary>Output channels x pixels of a row per invocation: 16 x 4, or 8 x 8 (the same 16 accumulators) where 8
    /// pads fewer channels. The ShuffleNets' 24-channel stem padded to 32 at 16; measured on lavapipe, 8 rounds
    /// interleaved in one process (ShuffleNetV2's conv1, 3 -> 24, 3x3 stride 2, 112 x 112 packed output): 16 x 4 2.09 /
    /// 2.08 ms median, 8 x 8 1.63 / 1.61, 12 x 8 1.60; at 16 and 32 channels (MobileNetV3 / V2 stems) 16 x 4 and 8 x 8
    /// measured the same, and 16 x 8 spilled (5.4 ms against 1.1).</summary>
    public static (int Tile, int Pixels) TileFor(int outC) =>
        Padded(outC, 8) < Padded(outC, OutputChannelTile) ? (8, 8) : (OutputChannelTile, PixelsPerInvocation);

    private static int Padded(int channels, int tile) => (channels + tile - 1) / tile * tile;

    public static bool Fits(Conv2dOp op, KernelContext ctx) =>
        op.Groups == 1 && OutputChannelTile * op.InC * op.KernelH * op.KernelW <= ctx.UniformWindowElements;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var (tile, pixels) = TileFor(o.C);
        int px = Math.Min(pixels, o.W);
        int taps = i.C * op.KernelH * op.KernelW;
        int blocks = (o.C + tile - 1) / tile;
        int blocksPerDispatch = Math.Max(1, ctx.UniformWindowElements / (tile * taps));
        int work = o.H * ((o.W + px - 1) / px);
        var spec = new Conv2dTiledConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, op.Bias is not null, op.Activation, op.Residual is not null, tile, px,
            op.Output.Layout == Graph.TensorLayout.Nc4hw4, Texels: false, op.DilationH, op.DilationW);
        uint bias = ctx.AddWeights(op.Bias);
        var reads = ConvDispatch.Reads(op.Input, op.Residual, ctx);
        var dispatches = new List<KernelDispatch>();
        for (int first = 0; first < blocks; first += blocksPerDispatch)
        {
            int count = Math.Min(blocksPerDispatch, blocks - first);
            // OIHW per output channel is already [ci][ky][kx]: the same repack as a 1x1 conv with taps inputs.
            var packed = PointwiseConvTiledKernel.Repack(op.Weights, taps, o.C, tile, first, count);
            long window = ctx.Weights.Add(packed);
            // Texel reads where the device's texel views reach the input and these weights, the uniform window otherwise.
            bool texels = ctx.TexelsReach(op.Input) && ctx.TexelsReach(window, packed.Length);
            var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output),
                checked((uint)window), bias, Aux0: (uint)(first * tile));
            var label = blocks <= blocksPerDispatch ? op.Name : $"{op.Name}[{first * tile}:{Math.Min(o.C, (first + count) * tile)}]";
            dispatches.Add(KernelDispatch.Create(label, Id, spec with { Texels = texels }, push,
                (KernelContext.Groups(work, KernelContext.WorkgroupSize), (uint)count, (uint)ctx.Batch), reads,
                ctx.ChannelBytes(op.Output, first * tile, Math.Min(o.C, (first + count) * tile) - first * tile))
            with
            {
                UniformWindowOffsetBytes = checked((uint)(window * 4)),
            });
        }
        return dispatches;
    }
}

/// <summary>The specialisation constants of shaders/conv2d_tiled.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct Conv2dTiledConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int OcTile, int Px, GlslBool OutPacked, GlslBool Texels, int Dh, int Dw) : ISpecConstants;
