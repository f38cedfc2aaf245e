using GpuMobileNet.Graph;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Runtime;

/// <summary>The CPU reference executor: plain, obviously-correct C# that is the numerical oracle for the GPU.
/// Every op accumulates in double and rounds to float once per output element.
/// Thread-safety: thread-safe; each call works on its own buffers.</summary>
public static class ReferenceExecutor
{
    /// <summary>Runs <paramref name="graph"/> on a batch of <paramref name="batch"/> NCHW samples laid out
    /// back to back and returns the output, also NCHW and back to back.</summary>
    public static float[] Run(ModelGraph graph, float[] input, int batch = 1) =>
        RunAll(graph, input, batch)[graph.Output];

    /// <summary>Like <see cref="Run"/> but returns every value of the graph (input included), each laid out
    /// as <paramref name="batch"/> NCHW samples back to back. Meant for debugging and per-layer comparisons.</summary>
    public static IReadOnlyDictionary<Value, float[]> RunAll(ModelGraph graph, float[] input, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        if (graph.ExtraInputs.Count > 0)
            throw new ArgumentException($"graph '{graph.Name}' has {graph.Inputs.Count} inputs ({string.Join(", ", graph.Inputs.Select(v => $"'{v.Name}'"))}); " +
                "pass them all by name", nameof(input));
        return RunAll(graph, new Dictionary<string, float[]> { [graph.Input.Name] = input }, batch);
    }

    /// <summary>Like <see cref="RunAll(ModelGraph, float[], int)"/> with every graph input given by name (each NCHW,
    /// <paramref name="batch"/> samples back to back), for graphs with several inputs.</summary>
    public static IReadOnlyDictionary<Value, float[]> RunAll(ModelGraph graph, IReadOnlyDictionary<string, float[]> inputs, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"graph '{graph.Name}': batch must be positive");
        var values = new Dictionary<Value, float[]>();
        foreach (var v in graph.Inputs)
        {
            if (!inputs.TryGetValue(v.Name, out var data))
                throw new ArgumentException($"graph '{graph.Name}': no values for input '{v.Name}' (inputs are {string.Join(", ", graph.Inputs.Select(i => $"'{i.Name}'"))})", nameof(inputs));
            long expected = (long)batch * v.Shape.Elements;
            if (data.Length != expected)
                throw new ArgumentException(
                    $"graph '{graph.Name}': input has {data.Length} values but batch {batch} x {v.Shape} " +
                    $"(input '{v.Name}') needs {expected}", nameof(inputs));
            values[v] = data;
        }
        foreach (var name in inputs.Keys)
            if (!graph.Inputs.Any(v => v.Name == name))
                throw new ArgumentException($"graph '{graph.Name}' has no input '{name}' (inputs are {string.Join(", ", graph.Inputs.Select(i => $"'{i.Name}'"))})", nameof(inputs));
        foreach (var node in graph.Nodes)
            values[node.Output] = Execute(node, values, batch);
        return values;
    }

    // Each op's provider holds its reference; an op the engine does not know is refused by name.
    private static float[] Execute(Node node, Dictionary<Value, float[]> values, int batch) =>
        (OpRegistry.TryFor(node) ?? throw new NotSupportedException($"{node}: the reference executor has no implementation of {node.GetType().Name}"))
            .Reference(node, values, batch);
}
