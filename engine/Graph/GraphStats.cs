using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Size and cost of a graph per sample, in the units papers report: trainable parameters (conv and
/// dense weights and biases, BatchNorm gamma and beta, not its running statistics) and multiply-adds
/// (conv and dense only; BatchNorm, activations, adds and pooling are counted as free).</summary>
public sealed record GraphStats(long Params, long MultiplyAdds, IReadOnlyList<NodeStats> Nodes)
{
    /// <summary>Parameter and multiply-accumulate counts of <paramref name="g"/>, per node and in total.</summary>
    public static GraphStats Compute(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var rows = g.Nodes.Select(n => new NodeStats(n.Name, n.OpType, n.Output.Shape, ParamsOf(n), MultiplyAddsOf(n))).ToList();
        return new GraphStats(rows.Sum(r => r.Params), rows.Sum(r => r.MultiplyAdds), rows);
    }

    private static long ParamsOf(Node node) => node switch
    {
        Conv2dOp c => (long)c.Weights.Length + (c.Bias?.Length ?? 0),
        FusedBlockOp f => f.Parts.Sum(ParamsOf),
        ConvTransposeOp t => (long)t.Weights.Length + (t.Bias?.Length ?? 0),
        ShuffledReadConvOp s => ParamsOf(s.Conv),
        GatedPointwiseOp g => ParamsOf(g.Conv),
        SqueezeExciteOp se => se.Parts.Sum(ParamsOf),
        MappedConvOp m => ParamsOf(m.Conv),
        ConcatPartWriteOp w => ParamsOf(w.Part),
        DenseOp d => (long)d.Weights.Length + (d.Bias?.Length ?? 0),
        BatchNormOp bn => (long)bn.Gamma.Length + bn.Beta.Length,
        _ => 0,
    };

    private static long MultiplyAddsOf(Node node) => node switch
    {
        Conv2dOp c => (long)c.Output.Shape.Elements * (c.InC / c.Groups) * c.KernelH * c.KernelW,
        FusedBlockOp f => f.Parts.Sum(MultiplyAddsOf),
        ConvTransposeOp t => (long)t.Input.Shape.Elements * (t.Output.Shape.C / t.Groups) * t.KernelH * t.KernelW,
        ShuffledReadConvOp s => MultiplyAddsOf(s.Conv),
        GatedPointwiseOp g => MultiplyAddsOf(g.Conv),
        SqueezeExciteOp se => se.Parts.Sum(MultiplyAddsOf),
        // What the kernel computes, quads it gathers and padding channels included.
        MappedConvOp m => MultiplyAddsOf(m.Conv),
        ConcatPartWriteOp w => MultiplyAddsOf(w.Part),
        DenseOp d => (long)d.InFeatures * d.OutFeatures,
        _ => 0,
    };
}
