using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>Named inputs and outputs, ONNX Runtime style: every graph output (the main one and
/// <see cref="ModelGraph.ExtraOutputs"/>) can be read by name after one run.</summary>
public sealed partial class InferenceSession
{
    // One staging buffer per extra output, where the arena is not host-visible (else they are read in place).
    private readonly GpuBuffer[] _stagingExtra = [];

    /// <summary>The main input's name first, then the extra inputs'.</summary>
    public IReadOnlyList<string> InputNames => Graph.Inputs.Select(v => v.Name).ToList();

    /// <summary>The main output's name first, then the extra outputs'.</summary>
    public IReadOnlyList<string> OutputNames => Graph.Outputs.Select(v => v.Name).ToList();

    /// <summary>Values of output <paramref name="name"/> per run (batch x its C x H x W).</summary>
    public int OutputLengthOf(string name) => Batch * OutputValue(name).Shape.Elements;

    /// <summary>Runs on the inputs named in <paramref name="inputs"/> (every graph input, each NCHW, batch samples back to back) and returns
    /// every output by name. Allocates the result arrays; <see cref="Run(ReadOnlySpan{float}, Span{float})"/> does not.</summary>
    public IReadOnlyDictionary<string, float[]> Run(IReadOnlyDictionary<string, float[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputs(inputs);
        var input = inputs[Graph.Input.Name];
        var results = Graph.Outputs.ToDictionary(v => v.Name, v => new float[Batch * v.Shape.Elements]);
        lock (_runLock)
        {
            BeginRunLocked();
            // Sub-batch by sub-batch, as Run does; each output's slice is read before the next sub-batch overwrites it.
            for (int first = 0; first < Batch; first += SubBatch)
            {
                int n = Math.Min(SubBatch, Batch - first);
                for (int i = 0; i < Graph.ExtraInputs.Count; i++)
                {
                    var v = Graph.ExtraInputs[i];
                    WriteExtraInput(i, inputs[v.Name].AsSpan(first * v.Shape.Elements, n * v.Shape.Elements));
                }
                RunSubBatch(input.AsSpan(first * InputShape.Elements, n * InputShape.Elements),
                    results[Graph.Output.Name].AsSpan(first * OutputShape.Elements, n * OutputShape.Elements));
                for (int i = 0; i < Graph.ExtraOutputs.Count; i++)
                {
                    var v = Graph.ExtraOutputs[i];
                    ReadExtraOutput(i, results[v.Name].AsSpan(first * v.Shape.Elements, n * v.Shape.Elements));
                }
            }
        }
        return results;
    }

    /// <summary>Copies extra output <paramref name="index"/> of the finished sub-batch out (invalidated first).</summary>
    private void ReadExtraOutput(int index, Span<float> target)
    {
        bool staged = _stagingExtra.Length > 0;
        CopyOut(staged ? _stagingExtra[index] : _arena, staged ? 0 : (ulong)Memory.OffsetOf(Graph.ExtraOutputs[index]) * (ulong)ActivationBytes, target);
    }

    private Value OutputValue(string name) => Graph.FindOutput(name)
        ?? throw new ArgumentException($"'{Graph.Name}' has no output '{name}'; outputs are {string.Join(", ", OutputNames.Select(n => $"'{n}'"))}");

    private void RecordExtraOutputCopies(CommandRecorder recorder)
    {
        ulong bytes = (ulong)ActivationBytes;
        for (int i = 0; i < _stagingExtra.Length; i++)
        {
            var v = Graph.ExtraOutputs[i];
            recorder.Copy(_arena, (ulong)Memory.OffsetOf(v) * bytes, _stagingExtra[i], 0, (ulong)(SubBatch * v.Shape.Elements) * bytes);
        }
    }
}
