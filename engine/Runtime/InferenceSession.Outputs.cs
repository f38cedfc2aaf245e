using GpuMobileNet.Graph;

namespace GpuMobileNet.Runtime;

/// <summary>Named inputs and outputs, ONNX Runtime style: every graph output (the main one and
/// <see cref="ModelGraph.ExtraOutputs"/>) can be read by name after one run.</summary>
public sealed partial class InferenceSession
{
    private IoBinding? _mapBinding;

    /// <summary>The main input's name first, then the extra inputs'.</summary>
    public IReadOnlyList<string> InputNames => Graph.Inputs.Select(v => v.Name).ToList();

    /// <summary>The main output's name first, then the extra outputs'.</summary>
    public IReadOnlyList<string> OutputNames => Graph.Outputs.Select(v => v.Name).ToList();

    /// <summary>Values of output <paramref name="name"/> per run (batch x its C x H x W).</summary>
    public int OutputLengthOf(string name) => Batch * OutputValue(name).Shape.Elements;

    /// <summary>Runs on the inputs named in <paramref name="inputs"/> (every graph input, each NCHW, batch samples back to
    /// back) and returns every output by name: a convenience form over an <see cref="IoBinding"/> the session keeps (host
    /// floats in and out). Allocates the result arrays; a binding reused with the caller's own memory does not.</summary>
    public IReadOnlyDictionary<string, float[]> Run(IReadOnlyDictionary<string, float[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputs(inputs);
        var results = Graph.Outputs.ToDictionary(v => v.Name, v => new float[Batch * v.Shape.Elements]);
        lock (_runLock)
        {
            _mapBinding ??= CreateIoBinding();
            foreach (var v in Graph.Inputs) _mapBinding.BindInput(v.Name, inputs[v.Name]);
            foreach (var v in Graph.Outputs) _mapBinding.BindOutput(v.Name, results[v.Name]);
            Run(_mapBinding);
        }
        return results;
    }

    private Value OutputValue(string name) => Graph.FindOutput(name)
        ?? throw new ArgumentException($"'{Graph.Name}' has no output '{name}'; outputs are {string.Join(", ", OutputNames.Select(n => $"'{n}'"))}");
}
