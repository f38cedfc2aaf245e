using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/fused_block.comp: expand → depthwise → project (+ residual) with both intermediates kept in
/// shared memory per output tile. Weights are repacked into two uniform windows (the fusion passes only make
/// blocks whose weights fit, see <see cref="FusedBlockOp.Supports"/>).</summary>
internal static class FusedBlockKernel
{
    public const string Shader = "fused_block";
    public const int TileHeight = 8;

    public static IReadOnlyList<KernelDispatch> Plan(FusedBlockOp op, KernelContext ctx)
    {
        var dw = op.Depthwise;
        var project = op.Project;
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int tw = o.W <= 4 ? 4 : 8;
        int tilesX = (o.W + tw - 1) / tw, tilesY = (o.H + TileHeight - 1) / TileHeight;
        int workgroup = TileHeight * tw / 4 * op.ProjectBlocks;
        int[] spec =
        [
            workgroup, i.C, i.H, i.W, op.PaddedExpandedChannels, op.ExpandedChannels, o.C, o.H, o.W, dw.StrideH,
            dw.Pad.Top, dw.Pad.Left, KernelContext.Flag(op.Expand is not null), (int)(op.Expand?.Activation ?? 0),
            (int)dw.Activation, (int)project.Activation, KernelContext.Flag(project.Bias is not null),
            KernelContext.Flag(project.Residual is not null), TileHeight, tw, op.ProjectBlocks,
        ];
        long projectWindow = ctx.Weights.Add(PackProject(op));
        long expandWindow = ctx.Weights.Add(PackExpandAndDepthwise(op));
        var push = new PushOffsets(ctx.Offset(op.Input), project.Residual is null ? 0 : ctx.Offset(project.Residual),
            ctx.Offset(op.Output), 0, ctx.AddWeights(project.Bias));
        var reads = ConvDispatch.Reads(op.Input, project.Residual, ctx);
        return
        [
            new KernelDispatch(op.Name, Shader, spec, push, ((uint)(tilesX * tilesY), 1, (uint)ctx.Batch), reads, [ctx.Bytes(op.Output)])
            {
                UniformWindowOffsetBytes = checked((uint)(projectWindow * 4)),
                UniformWindow2OffsetBytes = checked((uint)(expandWindow * 4)),
            },
        ];
    }

    /// <summary>Project weights [OutC][Cexp] as [block][paddedCexp][16], zeros past OutC and Cexp.</summary>
    internal static float[] PackProject(FusedBlockOp op)
    {
        int cexp = op.ExpandedChannels, padded = op.PaddedExpandedChannels, outC = op.Project.OutC, tile = FusedBlockOp.ProjectTile;
        var packed = new float[op.ProjectWindowElements];
        for (int b = 0; b < op.ProjectBlocks; b++)
            for (int e = 0; e < cexp; e++)
                for (int j = 0; j < tile; j++)
                {
                    int co = b * tile + j;
                    if (co < outC) packed[(b * padded + e) * tile + j] = op.Project.Weights[co * cexp + e];
                }
        return packed;
    }

    /// <summary>Expand weights transposed to [InC][paddedCexp], expand bias, then 9 taps + bias per depthwise channel (12 floats).</summary>
    internal static float[] PackExpandAndDepthwise(FusedBlockOp op)
    {
        int cexp = op.ExpandedChannels, padded = op.PaddedExpandedChannels;
        var packed = new float[op.ExpandWindowElements];
        int dwBase = 0;
        if (op.Expand is { } expand)
        {
            int inC = expand.InC;
            for (int ci = 0; ci < inC; ci++)
                for (int e = 0; e < cexp; e++)
                    packed[ci * padded + e] = expand.Weights[e * inC + ci];
            expand.Bias?.CopyTo(packed, inC * padded);
            dwBase = inC * padded + padded;
        }
        for (int e = 0; e < cexp; e++)
        {
            Array.Copy(op.Depthwise.Weights, e * 9, packed, dwBase + e * 12, 9);
            packed[dwBase + e * 12 + 9] = op.Depthwise.Bias?[e] ?? 0f;
        }
        return packed;
    }
}
