namespace GpuMobileNet.Graph;

/// <summary>Run-time inputs besides the builder's main one (multi-input models: two tensors added, concatenated, ...).</summary>
internal sealed partial class GraphBuilder
{
    private readonly List<Value> _extraInputs = [];

    /// <summary>The inputs added with <see cref="AddInput"/>, in order; they become <see cref="ModelGraph.ExtraInputs"/>.</summary>
    public IReadOnlyList<Value> ExtraInputs => _extraInputs;

    /// <summary>Adds another run-time input named <paramref name="name"/> of <paramref name="shape"/> (per sample, NCHW).</summary>
    public Value AddInput(string name, Tensors.TensorShape shape)
    {
        var v = NewValue(name, "input", shape);
        _extraInputs.Add(v);
        return v;
    }

    /// <summary>The graph that computes <paramref name="outputs"/> (the first the main output, the rest extra outputs):
    /// ops nothing reads on the way to them are dropped, as importers need for a file's unused branches.</summary>
    public ModelGraph BuildPruned(IReadOnlyList<Value> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var needed = outputs.ToHashSet();
        var kept = new List<Node>();
        for (int i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (!needed.Contains(node.Output)) continue;
            kept.Add(node);
            foreach (var v in node.Inputs) needed.Add(v);
        }
        kept.Reverse();
        return new ModelGraph(_graphName, Input, kept, outputs[0], outputs.Skip(1).ToList(), _extraInputs.ToList());
    }
}
