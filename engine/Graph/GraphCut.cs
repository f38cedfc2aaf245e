using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Splits a graph at one of its values: the part that computes it (the backbone, run on the device) and
/// the part that reads it (a classifier head, small enough for the CPU). Lets one device run give both the pooled
/// features a taught head needs and the model's own predictions.</summary>
internal static class GraphCut
{
    /// <summary>The input of the graph's first dense layer: the pooled (and flattened) features of a MobileNet.</summary>
    public static Value Features(ModelGraph graph) =>
        graph.Nodes.OfType<DenseOp>().FirstOrDefault()?.Input
        ?? throw new InvalidGraphException($"graph '{graph.Name}' has no dense layer, so no pooled features to cut at");

    /// <summary>The value named <paramref name="name"/>.</summary>
    public static Value Find(ModelGraph graph, string name) =>
        (graph.Inputs.FirstOrDefault(v => v.Name == name) ?? graph.Nodes.Select(n => n.Output).FirstOrDefault(v => v.Name == name))
        ?? throw new InvalidGraphException($"graph '{graph.Name}' has no value named '{name}'");

    /// <summary>The ops up to and including the one that writes <paramref name="cut"/>; its output is <paramref name="cut"/>.</summary>
    public static ModelGraph Before(ModelGraph graph, Value cut)
    {
        int last = IndexOfProducer(graph, cut);
        return new ModelGraph(graph.Name + "/backbone", graph.Input, graph.Nodes.Take(last + 1).ToList(), cut, null, graph.ExtraInputs);
    }

    /// <summary>The ops after the one that writes <paramref name="cut"/>, reading <paramref name="cut"/> as their input.
    /// Fails (naming the op) when one of them reads a value computed before the cut other than <paramref name="cut"/>.</summary>
    public static ModelGraph After(ModelGraph graph, Value cut)
    {
        int last = IndexOfProducer(graph, cut);
        return new ModelGraph(graph.Name + "/head", cut, graph.Nodes.Skip(last + 1).ToList(), graph.Output, null, graph.ExtraInputs);
    }

    private static int IndexOfProducer(ModelGraph graph, Value cut)
    {
        if (cut == graph.Input) return -1;
        for (int i = 0; i < graph.Nodes.Count; i++)
            if (graph.Nodes[i].Output == cut) return i;
        throw new InvalidGraphException($"graph '{graph.Name}' does not compute '{cut.Name}'");
    }
}
