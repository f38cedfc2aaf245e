using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_tiled.comp: register-tiled 1x1 convolution reading its weights as
/// uniforms. Weights are repacked per block of <see cref="OutputChannelTile"/> output channels as
/// [block][inC][tile] (zero-padded past OutC) and split into dispatches whose weights fit one uniform window.</summary>
public static class PointwiseConvTiledKernel
{
    public const string Shader = "pointwise_conv_tiled";

    /// <summary>Output channels per invocation (a multiple of 4: the kernel reads weights as vec4).</summary>
    public static int OutputChannelTile { get; set; } = 16;
    /// <summary>Consecutive pixels per invocation.</summary>
    public static int PixelsPerInvocation { get; set; } = 4;

    /// <summary>True when one block of output channels fits the device's uniform window.</summary>
    public static bool Fits(Conv2dOp op, KernelContext ctx) => OutputChannelTile * op.InC <= ctx.UniformWindowElements;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx)
    {
        int tile = OutputChannelTile, px = PixelsPerInvocation;
        int inC = op.InC, outC = op.OutC;
        var o = op.Output.Shape;
        int hw = o.H * o.W;
        int blockFloats = tile * inC;
        int blocks = (outC + tile - 1) / tile;
        int blocksPerDispatch = Math.Max(1, ctx.UniformWindowElements / blockFloats);
        int pixelGroups = (hw + px - 1) / px;
        // Small images get small workgroups, so few lanes idle at the 7x7 layers.
        int local = Math.Min(KernelContext.WorkgroupSize, (pixelGroups + 7) / 8 * 8);
        int[] spec =
        [
            local, inC, outC, hw, KernelContext.Flag(op.Bias is not null), (int)op.Activation,
            KernelContext.Flag(op.Residual is not null), tile, px,
        ];
        uint bias = ctx.AddWeights(op.Bias);
        var reads = op.Residual is null ? new[] { ctx.Bytes(op.Input) } : [ctx.Bytes(op.Input), ctx.Bytes(op.Residual)];
        var dispatches = new List<KernelDispatch>();
        for (int first = 0; first < blocks; first += blocksPerDispatch)
        {
            int count = Math.Min(blocksPerDispatch, blocks - first);
            long window = ctx.Weights.Add(Repack(op.Weights, inC, outC, tile, first, count));
            var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output),
                0, bias, Aux0: (uint)(first * tile));
            var label = blocks <= blocksPerDispatch ? op.Name : $"{op.Name}[{first * tile}:{Math.Min(outC, (first + count) * tile)}]";
            dispatches.Add(new KernelDispatch(label, Shader, spec, push,
                (KernelContext.Groups(pixelGroups, local), (uint)count, (uint)ctx.Batch), reads,
                ctx.ChannelBytes(op.Output, first * tile, Math.Min(outC, (first + count) * tile) - first * tile))
            {
                UniformWindowOffsetBytes = checked((uint)(window * 4)),
            });
        }
        return dispatches;
    }

    /// <summary>OIHW [outC, inC] weights of blocks first..first+count as [block][ci][tile], zeros past outC.</summary>
    internal static float[] Repack(float[] weights, int inC, int outC, int tile, int first, int count)
    {
        var packed = new float[count * inC * tile];
        for (int b = 0; b < count; b++)
            for (int ci = 0; ci < inC; ci++)
                for (int j = 0; j < tile; j++)
                {
                    int co = (first + b) * tile + j;
                    if (co < outC) packed[(b * inC + ci) * tile + j] = weights[co * inC + ci];
                }
        return packed;
    }
}
