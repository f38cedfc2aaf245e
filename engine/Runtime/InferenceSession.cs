using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>A graph bound to a device: passes applied, memory planned, pipelines specialised, one command
/// buffer recorded. <see cref="Run(ReadOnlySpan{float}, Span{float})"/> only copies the input in, replays
/// that command buffer and copies the output out: it creates no Vulkan objects.
/// Thread-safety: thread-safe: a session runs one call at a time (a later Run or Submit waits for the earlier one), so
/// for parallel runs use one session per thread; Dispose waits for the run in flight.</summary>
public sealed partial class InferenceSession : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly GpuBuffer _arena;
    private readonly GpuBuffer _weights;
    private readonly GpuBuffer? _stagingIn;
    private readonly GpuBuffer? _stagingOut;
    private readonly KernelBindings _bindings;
    private readonly CommandRecorder _recorder;
    private readonly object _runLock = new();
    /// <summary>Whether the session's (and its bindings') command buffers time every dispatch (<see cref="SessionOptions.Profiling"/>).</summary>
    internal bool Profiling { get; }
    // Everything the constructor creates, in creation order: Dispose frees it in reverse, so nothing is forgotten.
    private readonly List<IDisposable> _owned = [];
    private bool _disposed;

    /// <summary>The graph as run: after the passes (fusion, folding, channel packing).</summary>
    public ModelGraph Graph { get; }
    /// <summary>Samples per run.</summary>
    public int Batch { get; }
    /// <summary><see cref="ModelGraph.Inputs"/> and <see cref="ModelGraph.Outputs"/>, kept (the graph builds new lists on
    /// each call, and runs must not allocate).</summary>
    internal Value[] InputValues { get; }
    internal Value[] OutputValues { get; }
    /// <summary>Per-sample input shape (NCHW).</summary>
    public TensorShape InputShape => Graph.Input.Shape;
    /// <summary>Per-sample main output shape.</summary>
    public TensorShape OutputShape => Graph.Output.Shape;
    /// <summary>Values per run's input: batch x input shape.</summary>
    public int InputLength => Batch * InputShape.Elements;
    /// <summary>Values per run's main output: batch x output shape.</summary>
    public int OutputLength => Batch * OutputShape.Elements;
    /// <summary>Samples per submission: <see cref="Batch"/>, or fewer where the device's limits (one buffer's range,
    /// one allocation, the heap) cannot hold the whole batch's activations; <see cref="Run(ReadOnlySpan{float}, Span{float})"/>
    /// then submits the recorded command buffer once per sub-batch. <see cref="Memory"/> and <see cref="Dispatches"/>
    /// are those of one sub-batch.</summary>
    public int SubBatch { get; }
    private int SubBatchInputLength => SubBatch * InputShape.Elements;
    private int SubBatchOutputLength => SubBatch * OutputShape.Elements;
    internal MemoryPlan Memory { get; }
    /// <summary>Bytes of the session's weight buffer (packed weights and their padding).</summary>
    public long WeightBytes => (long)_weights.Bytes;
    /// <summary>Bytes of the session's activation arena (one sub-batch).</summary>
    public long ArenaBytes => (long)_arena.Bytes;
    internal IReadOnlyList<KernelDispatch> Dispatches { get; }
    /// <summary>Pipeline barriers in the recorded command buffer (only where a dispatch reads what an earlier one wrote).</summary>
    public int BarrierCount => _recorder.BarrierCount;
    /// <summary>The device the session runs on.</summary>
    public VulkanDevice Device => _device;
    /// <summary>Activation storage and arithmetic precision.</summary>
    public Precision Precision { get; }

    /// <summary>Bytes per activation element in GPU memory.</summary>
    public int ActivationBytes => Precision == Precision.Float32 ? 4 : 2;

    /// <summary>Shader name suffix of the precision variant (see shaders/Shaders.targets).</summary>
    internal string ShaderSuffix => Precision switch
    {
        Precision.Float16Storage => "_fp16s",
        Precision.Float16 => "_fp16",
        _ => "",
    };

    /// <summary>Per-dispatch GPU times of the last run; empty unless <see cref="SessionOptions.Profiling"/>.</summary>
    public IReadOnlyList<LayerTiming> LastTimings { get; private set; } = [];

    private InferenceSession(ModelGraph graph, VulkanDevice device, SessionOptions options)
    {
        if (options.Batch < 1) throw new ArgumentOutOfRangeException(nameof(options), $"batch must be at least 1, got {options.Batch}");
        _device = device;
        Graph = graph;
        InputValues = [.. graph.Inputs];
        OutputValues = [.. graph.Outputs];
        Batch = options.Batch;
        Precision = options.Precision;
        Profiling = options.Profiling;
        CheckPrecision(device, Precision);
        var fit = SubBatchFit.Find(graph, device, options, ActivationBytes);
        SubBatch = fit.SubBatch;
        Memory = fit.Memory;
        Dispatches = fit.Dispatches;
        var weightData = fit.WeightData;
        var window = device.UniformWindowBytes;

        try
        {
            _arena = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)Memory.ArenaElements * (ulong)ActivationBytes));
            _weights = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)weightData.Length * 4));
            _weights.Upload<float>(weightData);
            if (!_arena.IsHostVisible)
            {
                _stagingIn = Track(GpuBuffer.CreateStaging(device, (ulong)SubBatchInputLength * (ulong)ActivationBytes));
                _stagingOut = Track(GpuBuffer.CreateStaging(device, (ulong)SubBatchOutputLength * (ulong)ActivationBytes));
            }
            _bindings = Track(new KernelBindings(device, _arena, _weights, window, ActivationBytes));
            _recorder = Track(new CommandRecorder(device, Dispatches.Count, options.Profiling));
            Record(_recorder);
        }
        catch
        {
            DisposeOwned();
            throw;
        }
    }

    /// <summary>Prepares <paramref name="graph"/> for <paramref name="device"/>: applies the passes chosen in
    /// <paramref name="options"/>, plans memory, specialises pipelines and records the command buffer.</summary>
    public static InferenceSession Create(ModelGraph graph, VulkanDevice device, SessionOptions? options = null)
    {
        options ??= new SessionOptions();
        // Forcing a 3x3 algorithm picks among packed kernels, so it keeps the default layouts.
        var passes = options.Passes.ResolveFor(device.Kind == DeviceKind.Cpu, options.Kernels with { Conv3x3 = default } == new KernelChoice()) with
        {
            FusionWindowElements = (int)(device.UniformWindowBytes / 4),
        };
        var session = new InferenceSession(PassPipeline.Apply(graph, passes), device, options);
        if (options.Warmup && session.Graph.ExtraInputs.Count > 0)
            session.Run(session.Graph.Inputs.ToDictionary(v => v.Name, v => new float[session.Batch * v.Shape.Elements]));
        else if (options.Warmup)
            session.Run(new float[session.InputLength], new float[session.OutputLength]);
        return session;
    }

    /// <summary>Runs the network on <see cref="Batch"/> NCHW samples laid out back to back.</summary>
    public float[] Run(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength];
        Run(input, output);
        return output;
    }

    /// <summary>Allocation-free run: copies <paramref name="input"/> in, replays the recorded command buffer,
    /// copies the result to <paramref name="output"/>.</summary>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleInput("Run(input, output)");
        if (input.Length != InputLength)
            throw new ArgumentException($"input has {input.Length} values; '{Graph.Name}' expects batch {Batch} x {InputShape} = {InputLength}");
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces batch {Batch} x {OutputShape} = {OutputLength}");
        lock (_runLock)
        {
            // Checked again under the lock: Dispose takes it too, so it waits for a run in flight and a run after it fails here.
            BeginRunLocked();
            int inPer = InputShape.Elements, outPer = OutputShape.Elements;
            for (int first = 0; first < Batch; first += SubBatch)
            {
                int n = Math.Min(SubBatch, Batch - first);
                RunSubBatch(input.Slice(first * inPer, n * inPer), output.Slice(first * outPer, n * outPer));
            }
            if (_recorder.Profiling)
                LastTimings = _recorder.ReadTimings().Zip(Dispatches, (t, d) => new LayerTiming(t.Label, d.Shader, t.Milliseconds)).ToList();
        }
    }

    /// <summary>One submission: up to <see cref="SubBatch"/> samples in, the command buffer replayed, as many out. A short
    /// last sub-batch leaves the remaining samples' stale inputs in place: samples never mix, and their outputs are not read.</summary>
    private void RunSubBatch(ReadOnlySpan<float> input, Span<float> output)
    {
        WriteInput(input);
        _device.SubmitAndWait(_recorder);
        ReadOutput(output);
    }

    /// <summary>Copies a sub-batch's input to where the command buffer reads it (fp16 storage converts), flushed.</summary>
    private void WriteInput(ReadOnlySpan<float> input)
    {
        // Staging buffers hold just the input / output; otherwise they live at their place in the arena.
        WriteActivations(_stagingIn ?? _arena, _stagingIn is null ? (ulong)Memory.OffsetOf(Graph.Input) * (ulong)ActivationBytes : 0, input);
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="offset"/> bytes into <paramref name="buffer"/> (fp16 storage converts), flushed.</summary>
    internal void WriteActivations(GpuBuffer buffer, ulong offset, ReadOnlySpan<float> input)
    {
        if (ActivationBytes == 4)
            input.CopyTo(buffer.AsSpan<float>(offset, input.Length));
        else
        {
            var halves = buffer.AsSpan<Half>(offset, input.Length);
            for (int i = 0; i < halves.Length; i++) halves[i] = (Half)input[i];
        }
        buffer.FlushHostWrites(offset, (ulong)input.Length * (ulong)ActivationBytes);
    }

    /// <summary>Copies a finished sub-batch's output out (invalidated first; fp16 storage converts).</summary>
    private void ReadOutput(Span<float> output) =>
        CopyOut(_stagingOut ?? _arena, _stagingOut is null ? (ulong)Memory.OffsetOf(Graph.Output) * (ulong)ActivationBytes : 0, output);

    /// <summary>Copies activations at <paramref name="byteOffset"/> of <paramref name="buffer"/> to the host: invalidated
    /// first (non-coherent memory), converted from fp16 where activations are stored so. Allocation-free.</summary>
    internal void CopyOut(GpuBuffer buffer, ulong byteOffset, Span<float> target)
    {
        buffer.InvalidateForHostReads(byteOffset, (ulong)target.Length * (ulong)ActivationBytes);
        if (ActivationBytes == 4)
            buffer.AsSpan<float>(byteOffset, target.Length).CopyTo(target);
        else
        {
            var halves = buffer.AsSpan<Half>(byteOffset, target.Length);
            for (int i = 0; i < halves.Length; i++) target[i] = (float)halves[i];
        }
    }

    /// <summary>Records the session's own command buffer: the staging copies in (where the arena is not mapped), the
    /// network, the staging copies out.</summary>
    private void Record(CommandRecorder recorder)
    {
        recorder.Begin();
        ulong bytes = (ulong)ActivationBytes;
        if (_stagingIn is not null)
            recorder.Copy(_stagingIn, 0, _arena, (ulong)Memory.OffsetOf(Graph.Input) * bytes, (ulong)SubBatchInputLength * bytes);
        RecordDispatches(recorder);
        if (_stagingOut is not null)
            recorder.Copy(_arena, (ulong)Memory.OffsetOf(Graph.Output) * bytes, _stagingOut, 0, (ulong)SubBatchOutputLength * bytes);
        recorder.End();
    }

    /// <summary>Records the network's dispatches (one sub-batch) into <paramref name="recorder"/>.</summary>
    internal void RecordDispatches(CommandRecorder recorder)
    {
        var pipelines = _device.Pipelines;
        foreach (var d in Dispatches)
            recorder.Dispatch(pipelines.Get(d.Shader + ShaderSuffix, d.SpecConstants), pipelines.Layout, _bindings.Set, d.Push.ToArray(),
                d.Groups, d.Reads, d.Writes, d.Label, d.UniformWindowOffsetBytes, d.UniformWindow2OffsetBytes);
    }

    private static void CheckPrecision(VulkanDevice device, Precision precision)
    {
        if (precision != Precision.Float32 && !device.SupportsFloat16Storage)
            throw new NotSupportedException($"{precision}: device '{device.Name}' has no 16-bit storage buffers");
        if (precision == Precision.Float16 && !device.SupportsFloat16Arithmetic)
            throw new NotSupportedException($"{precision}: device '{device.Name}' has no fp16 arithmetic (shaderFloat16)");
    }

    /// <summary>Adds a GPU object the session creates to <see cref="_owned"/>, which Dispose frees.</summary>
    private T Track<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Frees the session's GPU objects. Waits for a <see cref="Run(ReadOnlySpan{float}, Span{float})"/> in flight
    /// on another thread (its command buffer must not be destroyed under it); runs after this throw ObjectDisposedException.</summary>
    public void Dispose()
    {
        lock (_runLock)
        {
            if (_disposed) return;
            CompletePendingLocked();
            _disposed = true;
            ReleaseIoBindings();
        }
        DisposeOwned();
    }

    private void DisposeOwned()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
