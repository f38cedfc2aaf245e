using GpuMobileNet.Graph;

namespace GpuMobileNet.Runtime;

/// <summary>Several named inputs, ONNX Runtime style: a graph's <see cref="ModelGraph.ExtraInputs"/> are fed with the
/// main input through <see cref="Run(IReadOnlyDictionary{string, float[]})"/>; each lives at its own place in the arena.
/// The single-input entry points (the span Run, Submit, RGBA8, host images, IoBinding) refuse such graphs.</summary>
public sealed partial class InferenceSession
{
    /// <summary>Throws, naming the extra inputs, when the graph has more than one input: <paramref name="entryPoint"/>
    /// feeds only the main one, and the others would be stale.</summary>
    private void RequireSingleInput(string entryPoint)
    {
        if (Graph.ExtraInputs.Count > 0)
            throw new InvalidOperationException($"{entryPoint} feeds only input '{Graph.Input.Name}', but '{Graph.Name}' also has input(s) " +
                $"{string.Join(", ", Graph.ExtraInputs.Select(v => $"'{v.Name}'"))}: use Run with a name -> values map");
    }

    /// <summary>Checks that <paramref name="inputs"/> holds exactly the graph's inputs, each batch x its shape long.</summary>
    private void CheckInputs(IReadOnlyDictionary<string, float[]> inputs)
    {
        string Names() => string.Join(", ", InputNames.Select(n => $"'{n}'"));
        foreach (var name in inputs.Keys)
            if (!InputNames.Contains(name))
                throw new ArgumentException($"'{Graph.Name}' has no input '{name}'; inputs are {Names()}");
        foreach (var v in Graph.Inputs)
        {
            if (!inputs.TryGetValue(v.Name, out var data) || data is null)
                throw new ArgumentException($"'{Graph.Name}': no values for input '{v.Name}'; inputs are {Names()}");
            if (data.Length != Batch * v.Shape.Elements)
                throw new ArgumentException($"input '{v.Name}' has {data.Length} values; '{Graph.Name}' expects batch {Batch} x {v.Shape} = {Batch * v.Shape.Elements}");
        }
    }
}
