using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_tiled.comp: register-tiled 1x1 convolution reading its weights as
/// uniforms. Weights are repacked per block of <see cref="OutputChannelTile"/> output channels as
/// [block][inC][tile] (zero-padded past OutC) and split into dispatches whose weights fit one uniform window:
/// by output-channel blocks where the image gives each block enough workgroups, otherwise (small images, e.g.
/// 7x7) by input channels too, so one dispatch covers many blocks and keeps every CPU thread or GPU core busy.</summary>
public static class PointwiseConvTiledKernel
{
    /// <summary>shaders/pointwise_conv_tiled.comp.</summary>
    public static readonly KernelId<PointwiseConvTiledConstants> Id = new("pointwise_conv_tiled");

    /// <summary>Output channels per invocation (a multiple of 4: the kernel reads weights as vec4). 16 x 4 measured
    /// fastest on lavapipe among 4..32 x 1..8.</summary>
    public const int OutputChannelTile = 16;
    /// <summary>Consecutive pixels per invocation.</summary>
    public const int PixelsPerInvocation = 4;
    /// <summary>A dispatch of a single workgroup runs on one CPU thread (or one GPU core): then the reduction is
    /// split instead. Measured on lavapipe: beyond that, splitting costs more (partial sums go through memory)
    /// than the extra workgroups gain.</summary>
    public const int MinWorkgroupsPerDispatch = 2;
    /// <summary>Smallest input-channel chunk of a split reduction (smaller chunks are too little work per workgroup).</summary>
    public const int MinChannelChunk = 64;

    public static bool Fits(Conv2dOp op, KernelContext ctx) => OutputChannelTile <= ctx.UniformWindowElements;

    public static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx) => Plan(op, ctx, Id);

    /// <summary>The dispatches of <paramref name="kernel"/>, this kernel or one with the same tiling, weight layout and split.</summary>
    internal static IReadOnlyList<KernelDispatch> Plan(Conv2dOp op, KernelContext ctx, KernelId<PointwiseConvTiledConstants> kernel)
    {
        int tile = OutputChannelTile, px = PixelsPerInvocation;
        int inC = op.InC, outC = op.OutC;
        var o = op.Output.Shape;
        int hw = o.H * o.W;
        int blocks = (outC + tile - 1) / tile;
        int pixelGroups = (hw + px - 1) / px;
        int local = KernelContext.LocalSizeFor(pixelGroups);
        int workgroupsPerBlock = (pixelGroups + local - 1) / local * ctx.Batch;
        var (blocksPerDispatch, chunk) = Decompose(inC, blocks, tile, ctx.UniformWindowElements, workgroupsPerBlock);

        uint bias = ctx.AddWeights(op.Bias);
        var dispatches = new List<KernelDispatch>();
        for (int first = 0; first < blocks; first += blocksPerDispatch)
        {
            int count = Math.Min(blocksPerDispatch, blocks - first);
            int co0 = first * tile, coCount = Math.Min(outC, (first + count) * tile) - co0;
            var writes = ctx.ChannelBytes(op.Output, co0, coCount);
            for (int ci0 = 0; ci0 < inC; ci0 += chunk)
            {
                int ciCount = Math.Min(chunk, inC - ci0);
                bool isFirst = ci0 == 0, isLast = ci0 + ciCount == inC;
                var spec = new PointwiseConvTiledConstants(
                    local, inC, outC, hw, op.Bias is not null, op.Activation, op.Residual is not null, tile, px, ciCount,
                    isFirst, isLast);
                long window = ctx.Weights.Add(Repack(op.Weights, inC, outC, tile, first, count, ci0, ciCount));
                var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual), ctx.Offset(op.Output),
                    0, bias, Aux0: (uint)co0, Aux1: (uint)ci0);
                // Later parts read the partial sums the earlier ones wrote.
                var readRanges = new List<Vulkan.ByteRange> { ctx.Bytes(op.Input) };
                if (op.Residual is not null && isFirst) readRanges.Add(ctx.Bytes(op.Residual));
                if (!isFirst) readRanges.AddRange(writes);
                string label = op.Name + (count == blocks ? "" : $"[{co0}:{co0 + coCount}]") + (chunk == inC ? "" : $"[in {ci0}:{ci0 + ciCount}]");
                dispatches.Add(KernelDispatch.Create(label, kernel, spec, push,
                    (KernelContext.Groups(pixelGroups, local), (uint)count, (uint)ctx.Batch), readRanges.ToArray(), writes)
                with
                {
                    UniformWindowOffsetBytes = checked((uint)(window * 4)),
                });
            }
        }
        return dispatches;
    }

    /// <summary>Output blocks per dispatch and input channels per dispatch, their weights within one window.</summary>
    internal static (int Blocks, int Chunk) Decompose(int inC, int blocks, int tile, int window, int workgroupsPerBlock)
    {
        if (blocks * inC * tile <= window) return (blocks, inC);
        int blocksForFullInput = window / (inC * tile);
        if (blocksForFullInput >= 1 && blocksForFullInput * workgroupsPerBlock >= MinWorkgroupsPerDispatch)
            return (blocksForFullInput, inC);
        // Split-K. The dispatch count is about (all weights / window) whatever the split, so take as many blocks
        // per dispatch as leave a useful input-channel chunk: the most workgroups per dispatch.
        int blocksPerDispatch = Math.Clamp(window / (tile * MinChannelChunk), 1, blocks);
        int chunk = Math.Clamp(window / (tile * blocksPerDispatch), 1, inC);
        return (blocksPerDispatch, chunk);
    }

    /// <summary>OIHW [outC, inC] weights of blocks first..first+count and input channels ci0..ci0+ciCount as
    /// [block][ci][tile], zeros past outC.</summary>
    internal static float[] Repack(float[] weights, int inC, int outC, int tile, int first, int count, int ci0 = 0, int ciCount = -1)
    {
        if (ciCount < 0) ciCount = inC;
        var packed = new float[count * ciCount * tile];
        for (int b = 0; b < count; b++)
            for (int ci = 0; ci < ciCount; ci++)
                for (int j = 0; j < tile; j++)
                {
                    int co = (first + b) * tile + j;
                    if (co < outC) packed[(b * ciCount + ci) * tile + j] = weights[co * inC + ci0 + ci];
                }
        return packed;
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv_tiled.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct PointwiseConvTiledConstants(
    int LocalSize, int InC, int OutC, int Hw, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual, int OcTile, int Px,
    int CiChunk, GlslBool First, GlslBool Last) : ISpecConstants;
