using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Planning;

/// <summary>How a <see cref="MemoryPlan"/> compares with no reuse and with the best any plan could do.
/// All sizes are aligned to <see cref="MemoryPlan.Alignment"/> elements (what the arena actually spends) and
/// are for the plan's batch.
/// <list type="bullet">
/// <item><see cref="NaiveBytes"/>: every activation in its own region, the graph input included and Flatten
/// aliases counted once (equals <see cref="NaivePlanner"/>'s arena).</item>
/// <item><see cref="PlannedBytes"/>: the plan's arena.</item>
/// <item><see cref="TheoreticalMinimumBytes"/>: the largest total, over all steps, of the regions live at that
/// step (see <see cref="Liveness.PeakElements"/>), with the plan's own in-place sharing counted once. A lower
/// bound for this schedule and these in-place decisions; reordering nodes or more in-place could go lower.</item>
/// </list></summary>
internal sealed class MemoryReport
{
    private MemoryReport(IReadOnlyList<LayerMemory> layers, long input, long naive, long planned, long minimum, int batch)
    {
        Layers = layers;
        InputBytes = input;
        NaiveBytes = naive;
        PlannedBytes = planned;
        TheoreticalMinimumBytes = minimum;
        Batch = batch;
    }

    public IReadOnlyList<LayerMemory> Layers { get; }
    public int Batch { get; }

    /// <summary>Aligned bytes of the graph inputs (pinned for the whole run, so part of every step's live bytes).</summary>
    public long InputBytes { get; }
    public long NaiveBytes { get; }
    public long PlannedBytes { get; }
    public long TheoreticalMinimumBytes { get; }

    /// <summary>Planned arena over the theoretical minimum: 1.0 is optimal.</summary>
    public double PlannedOverMinimum => (double)PlannedBytes / TheoreticalMinimumBytes;

    /// <summary>How many times smaller than the naive sum the planned arena is.</summary>
    public double NaiveOverPlanned => (double)NaiveBytes / PlannedBytes;

    /// <summary>Measures <paramref name="plan"/> for <paramref name="graph"/>. Uses the liveness the plan was made
    /// from; a plan without one is measured against liveness without in-place ops.</summary>
    public static MemoryReport Create(ModelGraph graph, MemoryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Liveness is { } own && own.Graph != graph)
            throw new ArgumentException($"the plan was made for graph '{own.Graph.Name}', not this '{graph.Name}' (a different graph object)", nameof(plan));
        var liveness = plan.Liveness ?? Liveness.Compute(graph);
        int batch = plan.Batch;

        var layers = new List<LayerMemory>(graph.Nodes.Count);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            layers.Add(new LayerMemory(i, node.Name, node.OpType, node.Output.Shape,
                Bytes(MemoryPlan.Align((long)node.Output.Shape.Elements * batch)), Bytes(plan.OffsetOf(node.Output)),
                node is FlattenOp || liveness.IsInPlace(node), Bytes(liveness.LiveElementsAt(i, batch))));
        }

        long naive = graph.Inputs.Sum(v => MemoryPlan.Align((long)v.Shape.Elements * batch))
            + graph.Nodes.Where(n => n is not FlattenOp).Sum(n => MemoryPlan.Align((long)n.Output.Shape.Elements * batch));
        return new MemoryReport(layers, Bytes(graph.Inputs.Sum(v => liveness.StorageOf(v).AlignedElements(batch))), Bytes(naive),
            plan.ArenaBytes, Bytes(liveness.PeakElements(batch)), batch);
    }

    private static long Bytes(long elements) => elements * 4;
}
