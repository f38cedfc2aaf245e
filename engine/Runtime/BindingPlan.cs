using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Vulkan;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>What an <see cref="IoBinding"/> recorded for its session: one command buffer per sub-batch (inputs in,
/// network, outputs out), submitted together; host-visible staging for host floats where the arena cannot be written in
/// place (staged memory, or a batch run as sub-batches); one buffer of frame slots, one per sample of each pixel input,
/// read by the preprocessing kernel through its own descriptor set. Owns all of it (one owner list).</summary>
internal sealed class BindingPlan : IDisposable
{
    private const int StageMarks = 4; // start, inputs in, network done, outputs out
    private readonly InferenceSession _session;
    private readonly IoBinding _binding;
    private readonly List<IDisposable> _owned = [];
    private readonly List<KernelDispatch> _preprocessing = [];

    /// <summary>The preprocessing dispatches recorded before the network (one per frame or image per sub-batch), for tests
    /// that check which kernel ran.</summary>
    internal IReadOnlyList<KernelDispatch> Preprocessing => _preprocessing;
    private readonly CommandRecorder[] _recorders;
    private readonly CommandBuffer[] _buffers;
    private readonly GpuBuffer?[] _inputStaging;
    private readonly GpuBuffer?[] _outputStaging;
    private readonly GpuBuffer? _frames;
    private readonly KernelBindings? _frameBindings;
    private readonly int _slotPixels;
    private readonly double[] _stageMs = new double[StageMarks - 1];

    /// <summary>Host floats are written to and read from the arena in place (mapped memory, one submission).</summary>
    private readonly bool _inPlace;

    public BindingPlan(InferenceSession session, IoBinding binding)
    {
        _session = session;
        _binding = binding;
        _inPlace = session.ArenaBuffer.IsHostVisible && session.SubBatch == session.Batch;
        _inputStaging = new GpuBuffer?[_session.InputValues.Length];
        _outputStaging = new GpuBuffer?[_session.OutputValues.Length];
        int runs = (session.Batch + session.SubBatch - 1) / session.SubBatch;
        _recorders = new CommandRecorder[runs];
        _buffers = new CommandBuffer[runs];
        try
        {
            for (int i = 0; i < _session.InputValues.Length; i++)
                if (binding.Inputs[i]!.Kind == SourceKind.HostFloats && !_inPlace)
                    _inputStaging[i] = Own(GpuBuffer.CreateStaging(session.Device, BatchBytes(_session.InputValues[i])));
            for (int i = 0; i < _session.OutputValues.Length; i++)
                if (binding.Outputs[i] is { Kind: SinkKind.HostFloats } && !_inPlace)
                    _outputStaging[i] = Own(GpuBuffer.CreateStaging(session.Device, BatchBytes(_session.OutputValues[i])));
            var slots = binding.Inputs.Where(b => b!.Kind == SourceKind.Pixels).SelectMany(b => b!.Slots).ToList();
            if (slots.Count > 0)
            {
                _slotPixels = slots.Max(s => s.Width * s.Height);
                ulong bytes = Math.Max((ulong)slots.Count * (ulong)SlotWords * 4, session.Device.UniformWindowBytes);
                _frames = Own(GpuBuffer.CreateStaging(session.Device, bytes));
                _frameBindings = Own(new KernelBindings(session.Device, session.ArenaBuffer, _frames, session.Device.UniformWindowBytes, session.ActivationBytes));
            }
            for (int r = 0; r < runs; r++)
            {
                int dispatches = session.Dispatches.Count + slots.Count;
                _recorders[r] = Own(new CommandRecorder(session.Device, dispatches, session.Profiling, StageMarks));
                _buffers[r] = _recorders[r].Buffer;
                Record(_recorders[r], r * session.SubBatch, Math.Min(session.SubBatch, session.Batch - r * session.SubBatch));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Words of one frame slot: the header (width, height) and the largest frame's pixels, 16-byte aligned.</summary>
    private long SlotWords => (PreprocessRgba8Kernel.HeaderWords + _slotPixels + 3) / 4 * 4;

    public Fence Fence => _recorders[0].Fence;

    /// <summary>Whether every bound frame still fits its slot (else the binding records anew).</summary>
    public bool FramesFit()
    {
        foreach (var input in _binding.Inputs)
            foreach (var slot in input!.Slots)
                if (slot.Width * slot.Height > _slotPixels) return false;
        return true;
    }

    private ulong BatchBytes(Value v) => (ulong)_session.Batch * (ulong)v.Shape.Elements * (ulong)_session.ActivationBytes;

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Records samples [<paramref name="first"/>, first + <paramref name="count"/>): each input's slice into the
    /// arena, the network, each bound output's slice out. A short last sub-batch leaves the other samples stale: samples
    /// never mix.</summary>
    private void Record(CommandRecorder r, int first, int count)
    {
        using var phase = PhaseLog.Measure("binding: record command buffer");
        ulong bytes = (ulong)_session.ActivationBytes;
        r.Begin();
        r.MarkStage();
        int slot = 0;
        for (int i = 0; i < _session.InputValues.Length; i++)
        {
            var v = _session.InputValues[i];
            var source = _binding.Inputs[i]!;
            ulong sample = (ulong)v.Shape.Elements * bytes, arena = _session.ArenaOffsetOf(v);
            if (_inputStaging[i] is { } staging)
                r.Copy(staging, (ulong)first * sample, _session.ArenaBuffer, arena, (ulong)count * sample);
            else if (source.Kind == SourceKind.HostBuffer)
                r.CopyFromHostBuffer(source.Range.Buffer, source.Range.Offset + (ulong)first * sample, _session.ArenaBuffer, arena, (ulong)count * sample);
            else if (source.Kind == SourceKind.Pixels)
                for (int s = 0; s < source.Slots.Length; s++, slot++)
                    if (s >= first && s < first + count)
                        RecordPreprocess(r, v, source.Slots[s], slot, s - first);
        }
        r.MarkStage();
        _session.RecordDispatches(r);
        r.MarkStage();
        for (int i = 0; i < _session.OutputValues.Length; i++)
        {
            var v = _session.OutputValues[i];
            ulong sample = (ulong)v.Shape.Elements * bytes, arena = _session.ArenaOffsetOf(v);
            if (_outputStaging[i] is { } staging)
                r.Copy(_session.ArenaBuffer, arena, staging, (ulong)first * sample, (ulong)count * sample);
            else if (_binding.Outputs[i] is { Kind: SinkKind.HostBuffer } sink)
                r.CopyToHostBuffer(_session.ArenaBuffer, arena, sink.Range.Buffer, sink.Range.Offset + (ulong)first * sample, (ulong)count * sample);
        }
        r.MarkStage();
        r.End();
    }

    /// <summary>One sample's preprocessing: (a host image copied into its slot, then) the kernel reading slot
    /// <paramref name="slot"/> and writing sample <paramref name="sampleInRun"/> of <paramref name="input"/>.</summary>
    private void RecordPreprocess(CommandRecorder r, Value input, PixelSlot pixels, int slot, int sampleInRun)
    {
        long slotWord = slot * SlotWords;
        if (pixels.Image != 0)
            r.CopyImageToBuffer(new Image(pixels.Image), pixels.Layout, (uint)pixels.Width, (uint)pixels.Height, _frames!,
                (ulong)(slotWord + PreprocessRgba8Kernel.HeaderWords) * 4);
        uint offset = checked((uint)(_session.Memory.OffsetOf(input) + (long)sampleInRun * input.Shape.Elements));
        var d = PreprocessRgba8Kernel.Plan(input, offset, _session.ActivationBytes, pixels.Normalisation, bgra: pixels.Order == HostImageFormat.Bgra8);
        var push = d.Push with { Weights = checked((uint)slotWord) };
        _preprocessing.Add(d);
        var pipelines = _session.Device.Pipelines;
        r.Dispatch(pipelines.Get(d.Shader + _session.ShaderSuffix, d.SpecConstants), pipelines.Layout, _frameBindings!.Set, push.ToArray(),
            d.Groups, d.Reads, d.Writes, d.Label);
    }

    /// <summary>Host side before the submission: host floats into the arena or their staging, frames and image sizes into
    /// their slots (flushed). Allocation-free.</summary>
    public void WriteSources()
    {
        int slot = 0;
        for (int i = 0; i < _session.InputValues.Length; i++)
        {
            var source = _binding.Inputs[i]!;
            if (source.Kind == SourceKind.HostFloats)
            {
                var staging = _inputStaging[i];
                _session.WriteActivations(staging ?? _session.ArenaBuffer, staging is null ? _session.ArenaOffsetOf(_session.InputValues[i]) : 0, source.Floats.Span);
            }
            foreach (var pixels in source.Slots)
                WriteSlot(slot++, pixels);
        }
    }

    private void WriteSlot(int slot, PixelSlot pixels)
    {
        ulong start = (ulong)(slot * SlotWords) * 4;
        var header = _frames!.AsSpan<uint>(start, PreprocessRgba8Kernel.HeaderWords);
        header[0] = (uint)pixels.Width;
        header[1] = (uint)pixels.Height;
        ulong bytes = PreprocessRgba8Kernel.HeaderWords * 4;
        if (pixels.Image == 0)
        {
            var span = pixels.Pixels.Span;
            span.CopyTo(_frames.AsSpan<byte>(start + bytes, span.Length));
            bytes += (ulong)span.Length;
        }
        _frames.FlushHostWrites(start, bytes);
    }

    /// <summary>Submits the recorded command buffers as one batch on the plan's fence.</summary>
    public void Submit(ulong waitSemaphore, ulong signalSemaphore) =>
        _session.Device.Submit(_buffers, Fence, waitSemaphore, signalSemaphore);

    /// <summary>Host side after the fence: host-float sinks filled from the arena or their staging, GPU stage times read
    /// into <paramref name="result"/>. Allocation-free unless the session profiles every dispatch.</summary>
    public void ReadSinks(RunResult result)
    {
        for (int i = 0; i < _session.OutputValues.Length; i++)
            if (_binding.Outputs[i] is { Kind: SinkKind.HostFloats } sink)
            {
                var staging = _outputStaging[i];
                _session.CopyOut(staging ?? _session.ArenaBuffer, staging is null ? _session.ArenaOffsetOf(_session.OutputValues[i]) : 0, sink.Target.Span);
            }
        double input = 0, network = 0, output = 0;
        foreach (var r in _recorders)
        {
            r.ReadStageMilliseconds(_stageMs);
            (input, network, output) = (input + _stageMs[0], network + _stageMs[1], output + _stageMs[2]);
        }
        if (_session.Profiling) (input, network, output) = ProfiledStages(result);
        result.SetGpuTimes(input, network, output);
    }

    /// <summary>With per-dispatch timestamps: every dispatch's time into <paramref name="result"/>'s layers, the
    /// preprocessing counted as input and the rest as network (copies are not timed then).</summary>
    private (double Input, double Network, double Output) ProfiledStages(RunResult result)
    {
        var layers = new List<LayerTiming>();
        double input = 0;
        foreach (var r in _recorders)
        {
            var timings = r.ReadTimings();
            int preprocessing = timings.Count - _session.Dispatches.Count;
            for (int j = 0; j < timings.Count; j++)
            {
                var kernel = j < preprocessing ? PreprocessRgba8Kernel.Id.Shader : _session.Dispatches[j - preprocessing].Shader;
                layers.Add(new LayerTiming(timings[j].Label, kernel, timings[j].Milliseconds));
                if (j < preprocessing) input += timings[j].Milliseconds;
            }
        }
        result.Layers = layers;
        return (input, layers.Sum(l => l.Milliseconds) - input, 0);
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
