namespace GpuMobileNet.Graph;

/// <summary>A network as a list of ops in topological order, with one main input and one main output, plus any extra
/// inputs (other run-time inputs of a multi-input model) and extra outputs (other results of a multi-output model,
/// or intermediate values a caller wants to read).
/// Pure data: no Vulkan here, so graphs, passes and the CPU oracle run anywhere.
/// Thread-safety: immutable, so any number of threads and sessions may share one graph.</summary>
public sealed class ModelGraph
{
    /// <summary>A graph of <paramref name="nodes"/> in topological order from <paramref name="input"/> to <paramref name="output"/> (and optional extra outputs).</summary>
    internal ModelGraph(string name, Value input, IReadOnlyList<Node> nodes, Value output, IReadOnlyList<Value>? extraOutputs = null)
        : this(name, input, nodes, output, extraOutputs, null)
    {
    }

    /// <summary>A graph with run-time inputs besides <paramref name="input"/>: <paramref name="extraInputs"/>, each fed
    /// by the caller like the main one.</summary>
    internal ModelGraph(string name, Value input, IReadOnlyList<Node> nodes, Value output, IReadOnlyList<Value>? extraOutputs, IReadOnlyList<Value>? extraInputs)
    {
        Name = name;
        Input = input;
        ExtraInputs = extraInputs ?? [];
        Nodes = nodes;
        Output = output;
        ExtraOutputs = extraOutputs ?? [];
        Validate();
    }

    /// <summary>The model's name (from the builder or the imported file).</summary>
    public string Name { get; }
    /// <summary>The one input (per sample, NCHW).</summary>
    public Value Input { get; }
    /// <summary>Run-time inputs besides <see cref="Input"/> (per sample, NCHW); empty for single-input graphs.</summary>
    public IReadOnlyList<Value> ExtraInputs { get; }

    /// <summary><see cref="Input"/> then <see cref="ExtraInputs"/>.</summary>
    public IReadOnlyList<Value> Inputs => [Input, .. ExtraInputs];

    /// <summary>The ops in topological order.</summary>
    internal IReadOnlyList<Node> Nodes { get; }
    /// <summary>The main output.</summary>
    public Value Output { get; }

    /// <summary>Outputs besides <see cref="Output"/>; passes keep them (they count as readers) and sessions return them.</summary>
    public IReadOnlyList<Value> ExtraOutputs { get; }

    /// <summary><see cref="Output"/> then <see cref="ExtraOutputs"/>.</summary>
    public IReadOnlyList<Value> Outputs => [Output, .. ExtraOutputs];

    /// <summary>The ops that read <paramref name="value"/>.</summary>
    internal IEnumerable<Node> Consumers(Value value) => Nodes.Where(n => n.Inputs.Contains(value));

    /// <summary>The op that writes <paramref name="value"/>, or null for a graph input.</summary>
    internal Node? Producer(Value value) => Nodes.FirstOrDefault(n => n.Output == value);

    /// <summary>Number of readers of a value, counting the graph output as one reader.</summary>
    internal int UseCount(Value value) => Consumers(value).Count() + Outputs.Count(o => o == value);

    /// <summary>The same graph with other nodes (and optionally another main output), as the passes produce.</summary>
    internal ModelGraph WithNodes(IReadOnlyList<Node> nodes, Value? output = null) => new(Name, Input, nodes, output ?? Output, ExtraOutputs, ExtraInputs);

    /// <summary>The graph with each node <paramref name="replaced"/> names swapped for its value in place, or left out
    /// where that is null (a pass's rewrite); this graph where it names none.</summary>
    internal ModelGraph Replacing(IReadOnlyDictionary<Node, Node?> replaced) =>
        replaced.Count == 0 ? this : WithNodes(Nodes.Select(n => replaced.TryGetValue(n, out var r) ? r : n).OfType<Node>().ToList());

    /// <summary>The graph with the values named <paramref name="names"/> (op outputs, as named in the graph) added as
    /// extra outputs, in that order after the existing ones; names already outputs are not repeated.</summary>
    /// <exception cref="InvalidInputException">No op writes a value of that name.</exception>
    public ModelGraph WithExtraOutputs(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var byName = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var node in Nodes) byName.TryAdd(node.Output.Name, node.Output);
        var extras = ExtraOutputs.ToList();
        foreach (var name in names)
        {
            var v = byName.TryGetValue(name, out var found) ? found
                : throw new InvalidGraphException($"graph '{Name}': no op writes a value named '{name}'");
            if (!Outputs.Contains(v) && !extras.Contains(v)) extras.Add(v);
        }
        return new ModelGraph(Name, Input, Nodes, Output, extras, ExtraInputs);
    }

    /// <summary>The value named <paramref name="name"/> among the graph's outputs, or null.</summary>
    public Value? FindOutput(string name) => Outputs.FirstOrDefault(v => v.Name == name);

    private void Validate()
    {
        var defined = new HashSet<Value>();
        foreach (var input in Inputs)
        {
            CheckLayout(input, $"graph '{Name}' has input");
            if (!defined.Add(input))
                throw new InvalidGraphException($"graph '{Name}' lists input '{input.Name}' twice");
        }
        if (Inputs.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count() != Inputs.Count)
            throw new InvalidGraphException($"graph '{Name}' has two inputs of the same name (inputs {string.Join(", ", Inputs.Select(v => $"'{v.Name}'"))})");
        foreach (var node in Nodes)
        {
            foreach (var v in node.Inputs)
                if (!defined.Contains(v))
                    throw new InvalidGraphException($"{node} reads '{v.Name}' before anything writes it (graph '{Name}' is not in topological order)");
            CheckLayout(node.Output, $"{node} writes");
            if (!defined.Add(node.Output))
                throw new InvalidGraphException($"{node} writes '{node.Output.Name}', which is already written by another op");
        }
        foreach (var output in Outputs)
            if (!defined.Contains(output))
                throw new InvalidGraphException($"graph '{Name}': output '{output.Name}' is never written");
    }

    private static void CheckLayout(Value v, string who)
    {
        if (v.Layout == TensorLayout.Nc4hw4 && v.Shape.C % 4 != 0)
            throw new InvalidGraphException($"{who} '{v.Name}' ({v.Shape}) as {TensorLayout.Nc4hw4}, which needs a channel count that is a multiple of 4");
    }
}
