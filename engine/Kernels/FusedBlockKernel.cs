using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/fused_block.comp: expand → depthwise → project (+ residual) with both intermediates kept in
/// shared memory per output tile. Weights are repacked into two uniform windows (the fusion passes only make
/// blocks whose weights fit, see <see cref="Fits"/>).</summary>
public static class FusedBlockKernel
{
    /// <summary>shaders/fused_block.comp.</summary>
    public static readonly KernelId<FusedBlockConstants> Id = new("fused_block");
    public const int TileHeight = 8;

    /// <summary>Expanded channels staged on chip at a time; the channel count is padded to a multiple of it.</summary>
    public const int ChunkChannels = 8;

    /// <summary>Output channels per project block (the kernel's register tile).</summary>
    public const int ProjectTile = 16;

    /// <summary>Expanded channels padded to a multiple of <see cref="ChunkChannels"/>.</summary>
    public static int PaddedExpandedChannels(FusedBlockOp op) => RoundUp(op.ExpandedChannels, ChunkChannels);

    /// <summary>Project blocks of <see cref="ProjectTile"/> output channels.</summary>
    public static int ProjectBlocks(FusedBlockOp op) => (op.Project.OutC + ProjectTile - 1) / ProjectTile;

    /// <summary>Floats of the project weights as the kernel reads them: [block][expanded][tile].</summary>
    public static int ProjectWindowElements(FusedBlockOp op) => ProjectBlocks(op) * PaddedExpandedChannels(op) * ProjectTile;

    /// <summary>Floats of expand weights [in][expanded], expand bias, and 12 per depthwise channel (9 taps, bias, 2 pad).</summary>
    public static int ExpandWindowElements(FusedBlockOp op)
    {
        int padded = PaddedExpandedChannels(op);
        return (op.Expand is null ? 0 : op.Expand.InC * padded + padded) + padded * 12;
    }

    /// <summary>Whether the kernel runs these parts as one block: 1x1 convs around a 3x3 depthwise of stride 1 or 2,
    /// no residual before the project, and both weight sets within a uniform window of <paramref name="windowElements"/>.</summary>
    public static bool Fits(Conv2dOp? expand, Conv2dOp dw, Conv2dOp project, int windowElements)
    {
        if (!dw.IsDepthwise || dw.KernelH != 3 || dw.KernelW != 3 || dw.StrideH != dw.StrideW || dw.StrideH > 2 || dw.Residual is not null)
            return false;
        if (!project.IsPointwise || project.Input != dw.Output) return false;
        if (expand is not null && (!expand.IsPointwise || expand.Residual is not null || dw.Input != expand.Output)) return false;
        var probe = new FusedBlockOp("probe", expand?.Input ?? dw.Input, project.Output, expand, dw, project);
        return ProjectWindowElements(probe) <= windowElements && ExpandWindowElements(probe) <= windowElements;
    }

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    public static IReadOnlyList<KernelDispatch> Plan(FusedBlockOp op, KernelContext ctx)
    {
        var dw = op.Depthwise;
        var project = op.Project;
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int tw = o.W <= 4 ? 4 : 8;
        int tilesX = (o.W + tw - 1) / tw, tilesY = (o.H + TileHeight - 1) / TileHeight;
        int workgroup = TileHeight * tw / 4 * ProjectBlocks(op);
        var spec = new FusedBlockConstants(
            workgroup, i.C, i.H, i.W, PaddedExpandedChannels(op), op.ExpandedChannels, o.C, o.H, o.W, dw.StrideH,
            dw.Pad.Top, dw.Pad.Left, op.Expand is not null, op.Expand?.Activation ?? Graph.Activation.None,
            dw.Activation, project.Activation, project.Bias is not null, project.Residual is not null, TileHeight, tw,
            ProjectBlocks(op));
        long projectWindow = ctx.Weights.Add(PackProject(op));
        long expandWindow = ctx.Weights.Add(PackExpandAndDepthwise(op));
        var push = new PushOffsets(ctx.Offset(op.Input), project.Residual is null ? 0 : ctx.Offset(project.Residual),
            ctx.Offset(op.Output), 0, ctx.AddWeights(project.Bias));
        var reads = ConvDispatch.Reads(op.Input, project.Residual, ctx);
        return
        [
            KernelDispatch.Create(op.Name, Id, spec, push, ((uint)(tilesX * tilesY), 1, (uint)ctx.Batch), reads, [ctx.Bytes(op.Output)])
            with
            {
                UniformWindowOffsetBytes = checked((uint)(projectWindow * 4)),
                UniformWindow2OffsetBytes = checked((uint)(expandWindow * 4)),
            },
        ];
    }

    /// <summary>Project weights [OutC][Cexp] as [block][paddedCexp][16], zeros past OutC and Cexp.</summary>
    internal static float[] PackProject(FusedBlockOp op)
    {
        int cexp = op.ExpandedChannels, padded = PaddedExpandedChannels(op), outC = op.Project.OutC, tile = ProjectTile;
        var packed = new float[ProjectWindowElements(op)];
        for (int b = 0; b < ProjectBlocks(op); b++)
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
        int cexp = op.ExpandedChannels, padded = PaddedExpandedChannels(op);
        var packed = new float[ExpandWindowElements(op)];
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

/// <summary>The specialisation constants of shaders/fused_block.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct FusedBlockConstants(
    int LocalSize, int InC, int InH, int InW, int ExpC, int RealExpC, int OutC, int OutH, int OutW, int S, int PadT,
    int PadL, GlslBool HasExpand, Graph.Activation ActE, Graph.Activation ActD, Graph.Activation ActP, GlslBool HasPbias,
    GlslBool HasResidual, int Th, int Tw, int Nb) : ISpecConstants;
