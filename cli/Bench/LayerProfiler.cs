using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>Turns a profiling session's per-dispatch timestamps into per-layer rows.
/// <list type="bullet">
/// <item>MACs: <see cref="GraphStats"/> multiply-adds of the dispatch's source op (in the session's graph, after
/// the passes) times the batch times the dispatch's share of that op; FLOPs = 2 × MACs.</item>
/// <item>Bytes moved: the compulsory traffic of the op, each tensor touched once: all its input activations, its
/// output and its parameters (fp32), times the dispatch's share. Kernels that re-read inputs or weights move
/// more; this is the floor a roofline would use.</item>
/// </list></summary>
internal static class LayerProfiler
{
    public static LayerProfile Measure(InferenceSession session, ReadOnlySpan<float> input, int runs, double peakGflops, Action? onRun = null)
    {
        if (session.Dispatches.Count == 0) throw new InvalidOperationException("the session has no dispatches to profile");
        var output = new float[session.OutputLength];
        var samples = session.Dispatches.Select(_ => new List<double>(runs)).ToArray();
        for (int r = 0; r < runs; r++)
        {
            var timings = session.Run(input, output).Layers;
            int count = session.Dispatches.Count;
            if (timings.Count == 0 || timings.Count % count != 0)
                throw new InvalidOperationException($"device '{session.Device.Name}' reported {timings.Count} timestamps for {count} dispatches a sub-batch (no timestamp support?)");
            // A sub-batched run times every sub-batch: a dispatch's time for the batch is their sum.
            for (int i = 0; i < count; i++)
            {
                double ms = 0;
                for (int j = i; j < timings.Count; j += count) ms += timings[j].Milliseconds;
                samples[i].Add(ms);
            }
            onRun?.Invoke();
        }

        var stats = GraphStats.Compute(session.Graph).Nodes.ToDictionary(n => n.Name);
        var nodes = session.Graph.Nodes.ToDictionary(n => n.Name);
        var dispatches = session.Dispatches.Select((d, i) =>
        {
            var name = d.Source?.Name ?? d.Label;
            stats.TryGetValue(name, out var s);
            nodes.TryGetValue(name, out var node);
            double macs = (s?.MultiplyAdds ?? 0) * (double)session.Batch * d.Fraction;
            double bytes = node is null ? 0 : BytesOf(node, s!, session.Batch) * d.Fraction;
            return (Layer: name, Op: node?.OpType ?? "?", d.Shader, Ms: LatencyStats.From(samples[i]).Median, Macs: macs, Bytes: bytes);
        }).ToList();

        var layers = dispatches.GroupBy(d => d.Layer).Select(g =>
        {
            double ms = g.Sum(d => d.Ms), macs = g.Sum(d => d.Macs);
            return new LayerRow(g.Key, g.First().Op, string.Join('+', g.Select(d => d.Shader).Distinct()), g.Count(), ms,
                macs, g.Sum(d => d.Bytes), Gflops(macs, ms), 100 * Gflops(macs, ms) / peakGflops);
        }).ToList();
        var kernels = dispatches.GroupBy(d => d.Shader).Select(g =>
        {
            double ms = g.Sum(d => d.Ms), macs = g.Sum(d => d.Macs);
            return new KernelTotal(g.Key, g.Count(), ms, macs, Gflops(macs, ms), 100 * Gflops(macs, ms) / peakGflops);
        }).OrderByDescending(k => k.Milliseconds).ToList();
        double total = dispatches.Sum(d => d.Ms), allMacs = dispatches.Sum(d => d.Macs);
        return new LayerProfile(session.Batch, runs, total, allMacs, Gflops(allMacs, total), layers, kernels);
    }

    /// <summary>Achieved GFLOP/s of <paramref name="macs"/> multiply-adds (2 FLOPs each) in <paramref name="ms"/>.</summary>
    public static double Gflops(double macs, double ms) => ms > 0 ? 2 * macs / (ms * 1e6) : 0;

    private static double BytesOf(Node node, NodeStats stats, int batch)
    {
        // A part written into a concatenation's buffer moves its own output, not the whole buffer it lands in.
        if (node is Graph.Ops.ConcatPartWriteOp w) node = w.Part;
        long activations = node.Inputs.Sum(v => (long)v.Shape.Elements) + node.Output.Shape.Elements;
        return 4.0 * (activations * batch + stats.Params);
    }
}
