namespace GpuMobileNet.Graph;

/// <summary>Choosing which values of a graph are its outputs.</summary>
public static class ModelGraphOutputs
{
    /// <summary>The graph with the values named <paramref name="names"/> (op outputs, as named in the graph) added as
    /// extra outputs, in that order after the existing ones; names already outputs are not repeated.</summary>
    /// <exception cref="InvalidGraphException">No op writes a value of that name.</exception>
    public static ModelGraph WithExtraOutputs(this ModelGraph graph, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var byName = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes) byName.TryAdd(node.Output.Name, node.Output);
        var extras = graph.ExtraOutputs.ToList();
        foreach (var name in names)
        {
            var v = byName.TryGetValue(name, out var found) ? found
                : throw new InvalidGraphException($"graph '{graph.Name}': no op writes a value named '{name}'");
            if (!graph.Outputs.Contains(v) && !extras.Contains(v)) extras.Add(v);
        }
        return new ModelGraph(graph.Name, graph.Input, graph.Nodes, graph.Output, extras, graph.ExtraInputs);
    }

    /// <summary>The value named <paramref name="name"/> among the graph's outputs, or null.</summary>
    public static Value? FindOutput(this ModelGraph graph, string name) => graph.Outputs.FirstOrDefault(v => v.Name == name);
}
