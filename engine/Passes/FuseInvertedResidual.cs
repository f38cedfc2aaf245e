using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Fuses expand 1x1 → depthwise 3x3 → project 1x1 (with its residual, already fused by
/// FuseResidualAdd) into one <see cref="FusedBlockOp"/>, so the expanded tensor never goes to memory.
/// Only where each intermediate has the next part as its sole reader and the kernel supports the shapes.</summary>
public static class FuseInvertedResidual
{
    public static ModelGraph Apply(ModelGraph g, int windowElements)
    {
        var uses = new ValueUses(g);
        var convs = g.Nodes.OfType<Conv2dOp>().ToDictionary(c => c.Output);
        var replace = new Dictionary<Node, Node>();
        var removed = new HashSet<Node>();
        foreach (var project in g.Nodes.OfType<Conv2dOp>().Where(c => c.IsPointwise))
        {
            if (!convs.TryGetValue(project.Input, out var dw) || uses.SoleConsumer(dw.Output) != project) continue;
            if (!convs.TryGetValue(dw.Input, out var expand) || !expand.IsPointwise || uses.SoleConsumer(expand.Output) != dw) continue;
            if (removed.Contains(expand) || removed.Contains(dw) || replace.ContainsKey(expand) || replace.ContainsKey(dw)) continue;
            if (!Kernels.KernelCapabilities.CanFuseBlock(expand, dw, project, windowElements)) continue;
            replace[project] = new FusedBlockOp(BlockName(project.Name), expand.Input, project.Output, expand, dw, project);
            removed.Add(expand);
            removed.Add(dw);
        }
        return g.WithNodes(g.Nodes.Where(n => !removed.Contains(n)).Select(n => replace.GetValueOrDefault(n, n)).ToList());
    }

    /// <summary>"block_3_project" → "block_3"; other names get a suffix.</summary>
    internal static string BlockName(string project) =>
        project.EndsWith("_project", StringComparison.Ordinal) ? project[..^"_project".Length] : project + "_fused";
}
