using GpuMobileNet.Graph;

namespace GpuMobileNet.Passes;

/// <summary>How many times each value is read, counting every input slot (so Add(x, x) reads x twice)
/// and the graph output as one read. A fusion may only swallow a value that is read exactly once.</summary>
internal sealed class ValueUses
{
    private readonly Dictionary<Value, int> _counts = [];
    private readonly Dictionary<Value, List<Node>> _consumers = [];

    public ValueUses(ModelGraph graph)
    {
        foreach (var node in graph.Nodes)
            foreach (var v in node.Inputs)
            {
                _counts[v] = Count(v) + 1;
                if (!_consumers.TryGetValue(v, out var list)) _consumers[v] = list = [];
                if (!list.Contains(node)) list.Add(node);
            }
        foreach (var output in graph.Outputs)
            _counts[output] = Count(output) + 1;
    }

    public int Count(Value v) => _counts.GetValueOrDefault(v);

    /// <summary>Distinct nodes that read <paramref name="v"/>, in graph order.</summary>
    public IReadOnlyList<Node> Consumers(Value v) => _consumers.TryGetValue(v, out var list) ? list : [];

    /// <summary>The single node reading <paramref name="v"/> once, or null when it has other readers
    /// (including being the graph output).</summary>
    public Node? SoleConsumer(Value v) => Count(v) == 1 && Consumers(v).Count == 1 ? Consumers(v)[0] : null;
}
