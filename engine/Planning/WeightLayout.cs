using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Planning;

/// <summary>All weights and biases of a graph packed into one array (one immutable GPU buffer),
/// each block aligned to <see cref="MemoryPlan.Alignment"/> elements.</summary>
public sealed class WeightLayout
{
    private readonly Dictionary<Node, (long Weights, long Bias)> _offsets = new();

    public float[] Data { get; }

    public WeightLayout(ModelGraph graph)
    {
        var blocks = new List<float[]>();
        long next = 0;
        long Add(float[]? data)
        {
            if (data is null) return -1;
            long at = next;
            blocks.Add(data);
            next = MemoryPlan.Align(next + data.Length);
            return at;
        }
        foreach (var node in graph.Nodes)
        {
            var (w, b) = node switch
            {
                Conv2dOp c => (c.Weights, c.Bias),
                DenseOp d => (d.Weights, d.Bias),
                _ => ((float[]?)null, (float[]?)null),
            };
            if (w is null) continue;
            _offsets[node] = (Add(w), Add(b));
        }
        Data = new float[Math.Max(next, 1)];
        long pos = 0;
        foreach (var block in blocks)
        {
            block.CopyTo(Data, pos);
            pos = MemoryPlan.Align(pos + block.Length);
        }
    }

    public long WeightsOf(Node n) => _offsets.TryGetValue(n, out var o) ? o.Weights
        : throw new KeyNotFoundException($"{n} has no weights in the layout");

    public long BiasOf(Node n) => _offsets.TryGetValue(n, out var o) && o.Bias >= 0 ? o.Bias
        : throw new KeyNotFoundException($"{n} has no bias in the layout");
}
