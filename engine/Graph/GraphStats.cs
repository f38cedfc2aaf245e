using GpuMobileNet.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Size and cost of a graph per sample, in the units papers report: trainable parameters (conv and
/// dense weights and biases, BatchNorm gamma and beta, not its running statistics) and multiply-adds
/// (conv and dense only; BatchNorm, activations, adds and pooling are counted as free).</summary>
internal sealed record GraphStats(long Params, long MultiplyAdds, IReadOnlyList<NodeStats> Nodes)
{
    /// <summary>Parameter and multiply-accumulate counts of <paramref name="g"/>, per node and in total.</summary>
    public static GraphStats Compute(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var rows = g.Nodes.Select(n => new NodeStats(n.Name, n.OpType, n.Output.Shape, ParamsOf(n), MultiplyAddsOf(n))).ToList();
        return new GraphStats(rows.Sum(r => r.Params), rows.Sum(r => r.MultiplyAdds), rows);
    }

    // Each op's provider counts its own; an op the engine does not know counts as free.
    private static long ParamsOf(Node node) => OpRegistry.TryFor(node)?.Params(node) ?? 0;

    private static long MultiplyAddsOf(Node node) => OpRegistry.TryFor(node)?.MultiplyAdds(node) ?? 0;
}
