namespace GpuMobileNet.Graph.Ops;

/// <summary>A depthwise-separable block run as one op: optional 1x1 Expand → Depthwise → 1x1 Project (with the
/// project's own residual, activation and bias). Made by the dw+pw and inverted-residual fusion passes so the
/// GPU keeps the expanded and depthwise tensors on chip. The inner ops keep their own intermediate values,
/// which are not part of the graph.</summary>
internal sealed record FusedBlockOp(string Name, Value Input, Value Output, Conv2dOp? Expand, Conv2dOp Depthwise, Conv2dOp Project)
    : Node(Name, Output)
{
    public override IReadOnlyList<Value> Inputs => Project.Residual is null ? [Input] : [Input, Project.Residual];
    public override string OpType => Expand is null ? "FusedDwPw" : "FusedInvertedResidual";

    /// <summary>The inner ops in execution order.</summary>
    public IEnumerable<Conv2dOp> Parts => Expand is null ? [Depthwise, Project] : [Expand, Depthwise, Project];

    /// <summary>Expanded channels staged on chip at a time; the channel count is padded to a multiple of it.</summary>
    public const int ChunkChannels = 8;

    /// <summary>Output channels per project block (the kernel's register tile).</summary>
    public const int ProjectTile = 16;

    public int ExpandedChannels => Depthwise.InC;
    public int PaddedExpandedChannels => RoundUp(ExpandedChannels, ChunkChannels);
    public int ProjectBlocks => (Project.OutC + ProjectTile - 1) / ProjectTile;

    /// <summary>Floats of the project weights as the kernel reads them: [block][expanded][tile].</summary>
    public int ProjectWindowElements => ProjectBlocks * PaddedExpandedChannels * ProjectTile;

    /// <summary>Floats of expand weights [in][expanded], expand bias, and 12 per depthwise channel (9 taps, bias, 2 pad).</summary>
    public int ExpandWindowElements =>
        (Expand is null ? 0 : Expand.InC * PaddedExpandedChannels + PaddedExpandedChannels) + PaddedExpandedChannels * 12;

    /// <summary>Whether the parts form a block the fused kernel runs: 1x1 convs around a 3x3 depthwise of
    /// stride 1 or 2, no residual before the project, and both weight sets within a uniform window.</summary>
    public static bool Supports(Conv2dOp? expand, Conv2dOp dw, Conv2dOp project, int windowElements)
    {
        if (!dw.IsDepthwise || dw.KernelH != 3 || dw.KernelW != 3 || dw.StrideH != dw.StrideW || dw.StrideH > 2 || dw.Residual is not null)
            return false;
        if (!project.IsPointwise || project.Input != dw.Output) return false;
        if (expand is not null && (!expand.IsPointwise || expand.Residual is not null || dw.Input != expand.Output)) return false;
        var probe = new FusedBlockOp("probe", expand?.Input ?? dw.Input, project.Output, expand, dw, project);
        return probe.ProjectWindowElements <= windowElements && probe.ExpandWindowElements <= windowElements;
    }

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;
}
