using System.Diagnostics;

namespace GpuMobileNet.Runtime;

/// <summary>What the last run of an <see cref="IoBinding"/> gave: its outputs by name and its per-stage times. Each
/// binding has one, refreshed by each of its runs (so runs allocate nothing); read it before the binding's next run.
/// Not thread-safe: use it from the thread that runs the binding.</summary>
public sealed class RunResult
{
    private readonly IoBinding _binding;
    private long _start, _submitted, _completed, _read;

    internal RunResult(IoBinding binding) => _binding = binding;

    /// <summary>GPU milliseconds of the input stage: copies from staging, host buffers and images, and the frame
    /// preprocessing (0 where the device has no timestamps).</summary>
    public double InputGpuMs { get; private set; }

    /// <summary>GPU milliseconds of the network's dispatches (all sub-batches).</summary>
    public double NetworkGpuMs { get; private set; }

    /// <summary>GPU milliseconds of the output copies (not timed when every dispatch is profiled).</summary>
    public double OutputGpuMs { get; private set; }

    /// <summary>Host milliseconds spent writing host floats and frames before the submission.</summary>
    public double WriteMs => Stopwatch.GetElapsedTime(_start, _submitted).TotalMilliseconds;

    /// <summary>Host milliseconds from the submission to the device's completion as the host saw it.</summary>
    public double DeviceMs => Stopwatch.GetElapsedTime(_submitted, _completed).TotalMilliseconds;

    /// <summary>Host milliseconds spent copying host-float outputs out after completion.</summary>
    public double ReadMs => Stopwatch.GetElapsedTime(_completed, _read).TotalMilliseconds;

    /// <summary>Per-dispatch GPU times (preprocessing and network, every sub-batch), where the session was created with
    /// <see cref="SessionOptions.Profiling"/>; empty otherwise.</summary>
    public IReadOnlyList<LayerTiming> Layers { get; internal set; } = [];

    /// <summary>The values of output <paramref name="name"/> bound to host floats, as the last run wrote them.</summary>
    public ReadOnlySpan<float> Output(string name) =>
        _binding.Outputs[_binding.OutputIndex(name)] is { Kind: SinkKind.HostFloats } sink ? sink.Target.Span
            : throw new InvalidOperationException($"output '{name}' is not bound to host floats: use CopyOutput");

    /// <summary>Copies output <paramref name="name"/> of the last run (batch x its shape values) to <paramref name="target"/>:
    /// from its host floats, or from the session's memory on the device (an output left there or copied to a host buffer;
    /// the session must run its batch in one submission, since each sub-batch reuses that memory).</summary>
    public void CopyOutput(string name, Span<float> target)
    {
        int index = _binding.OutputIndex(name);
        if (_binding.Outputs[index] is { Kind: SinkKind.HostFloats } sink) sink.Target.Span.CopyTo(target);
        else _binding.Session.ReadFromDevice(_binding.Session.OutputValues[index], target);
    }

    internal void StartRun()
    {
        _start = Stopwatch.GetTimestamp();
        Layers = [];
    }

    internal void Submitted() => _submitted = Stopwatch.GetTimestamp();

    internal void Completed() => _completed = Stopwatch.GetTimestamp();

    internal void Read() => _read = Stopwatch.GetTimestamp();

    internal void SetGpuTimes(double input, double network, double output) =>
        (InputGpuMs, NetworkGpuMs, OutputGpuMs) = (input, network, output);
}
