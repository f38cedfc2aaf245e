using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GpuMobileNet.Bench;

/// <summary>ONNX Runtime on the CPU running an ONNX model (typically <see cref="Export.Onnx.OnnxExporter"/>'s
/// output): the correctness cross-check and the latency baseline for our engine on the same network and weights.</summary>
public sealed class OrtBaseline : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string _outputName;

    /// <param name="onnxModel">A serialized ONNX model with one float input [N, C, H, W] (or any rank-4 layout the
    /// caller fills) and one or more float outputs, of which the first is returned.</param>
    /// <param name="threads">Intra-op threads: set it to what our engine gets, so timings compare like with like.</param>
    public OrtBaseline(byte[] onnxModel, int threads)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            // One op at a time: MobileNets are a chain, so inter-op parallelism only adds threads we did not ask for.
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnxModel, options);
        if (_session.InputNames.Count != 1 || _session.OutputNames.Count < 1)
            throw new ArgumentException(
                $"expected a model with one input and at least one output, got {_session.InputNames.Count} and {_session.OutputNames.Count}",
                nameof(onnxModel));
        _inputName = _session.InputNames[0];
        _outputName = _session.OutputNames[0];
    }

    /// <summary>Runs one inference on <paramref name="batch"/> NCHW samples laid out back to back and returns
    /// the output, flattened in its natural (row-major) order.</summary>
    public float[] Run(float[] input, int batch, int c, int h, int w)
    {
        using var results = RunOnce(Wrap(input, batch, c, h, w));
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Runs <paramref name="warmup"/> untimed inferences, then <paramref name="runs"/> timed ones, and
    /// returns each timed run's wall-clock milliseconds. The input tensor is wrapped once, outside the timing.</summary>
    public IReadOnlyList<double> Time(float[] input, int batch, int c, int h, int w, int warmup, int runs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        using var tensor = Wrap(input, batch, c, h, w);
        for (int i = 0; i < warmup; i++)
            RunOnce(tensor).Dispose();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RunOnce(tensor).Dispose();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private IDisposableReadOnlyCollection<OrtValue> RunOnce(OrtValue tensor) =>
        _session.Run(_runOptions, [_inputName], [tensor], [_outputName]);

    private static OrtValue Wrap(float[] input, int batch, int c, int h, int w)
    {
        ArgumentNullException.ThrowIfNull(input);
        long expected = (long)batch * c * h * w;
        if (batch < 1 || c < 1 || h < 1 || w < 1 || input.Length != expected)
            throw new ArgumentException($"input has {input.Length} values but shape [{batch}, {c}, {h}, {w}] needs {expected}", nameof(input));
        // Wraps the managed array without copying; ORT pins it for the tensor's lifetime.
        return OrtValue.CreateTensorValueFromMemory(input, [batch, c, h, w]);
    }
}
