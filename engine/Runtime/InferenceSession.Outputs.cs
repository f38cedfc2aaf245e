using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>Named inputs and outputs, ONNX Runtime style: every graph output (the main one and
/// <see cref="ModelGraph.ExtraOutputs"/>) can be read by name after one run.</summary>
public sealed partial class InferenceSession
{
    // One staging buffer per extra output, where the arena is not host-visible (else they are read in place).
    private readonly GpuBuffer[] _stagingExtra = [];

    public IReadOnlyList<string> InputNames => [Graph.Input.Name];

    /// <summary>The main output's name first, then the extra outputs'.</summary>
    public IReadOnlyList<string> OutputNames => Graph.Outputs.Select(v => v.Name).ToList();

    /// <summary>Values of output <paramref name="name"/> per run (batch x its C x H x W).</summary>
    public int OutputLengthOf(string name) => Batch * OutputValue(name).Shape.Elements;

    /// <summary>Runs on the input named in <paramref name="inputs"/> (NCHW, batch samples back to back) and returns
    /// every output by name. Allocates the result arrays; <see cref="Run(ReadOnlySpan{float}, Span{float})"/> does not.</summary>
    public IReadOnlyDictionary<string, float[]> Run(IReadOnlyDictionary<string, float[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Count != 1 || !inputs.TryGetValue(Graph.Input.Name, out var input))
            throw new ArgumentException($"'{Graph.Name}' has one input, '{Graph.Input.Name}'; got {string.Join(", ", inputs.Keys.Select(k => $"'{k}'"))}");
        var results = Graph.Outputs.ToDictionary(v => v.Name, v => new float[Batch * v.Shape.Elements]);
        lock (_runLock)
        {
            Run(input, results[Graph.Output.Name]);
            for (int i = 0; i < Graph.ExtraOutputs.Count; i++)
            {
                var v = Graph.ExtraOutputs[i];
                var buffer = _stagingExtra.Length > 0 ? _stagingExtra[i] : _arena;
                ulong offset = _stagingExtra.Length > 0 ? 0 : (ulong)Memory.OffsetOf(v) * (ulong)ActivationBytes;
                var target = results[v.Name];
                if (ActivationBytes == 4)
                    buffer.AsSpan<float>(offset, target.Length).CopyTo(target);
                else
                {
                    var halves = buffer.AsSpan<Half>(offset, target.Length);
                    for (int k = 0; k < target.Length; k++) target[k] = (float)halves[k];
                }
            }
        }
        return results;
    }

    private Value OutputValue(string name) => Graph.FindOutput(name)
        ?? throw new ArgumentException($"'{Graph.Name}' has no output '{name}'; outputs are {string.Join(", ", OutputNames.Select(n => $"'{n}'"))}");

    private void RecordExtraOutputCopies()
    {
        ulong bytes = (ulong)ActivationBytes;
        for (int i = 0; i < _stagingExtra.Length; i++)
        {
            var v = Graph.ExtraOutputs[i];
            _recorder.Copy(_arena, (ulong)Memory.OffsetOf(v) * bytes, _stagingExtra[i], 0, (ulong)(Batch * v.Shape.Elements) * bytes);
        }
    }
}
