using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>A graph bound to a device: passes applied, memory planned, pipelines specialised. Every run goes through an
/// <see cref="IoBinding"/>, which records its command buffers once; <see cref="Run(ReadOnlySpan{float}, Span{float})"/>
/// and the other convenience forms use bindings the session keeps, so steady-state runs create no Vulkan objects.
/// Thread-safety: thread-safe: a session runs one call at a time (a later Run or Submit waits for the earlier one), so
/// for parallel runs use one session per thread; Dispose waits for the run in flight.</summary>
public sealed partial class InferenceSession : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly GpuBuffer _arena;
    private readonly GpuBuffer[] _weights;
    private readonly KernelBindings _bindings;
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
    /// one allocation, the heap) cannot hold the whole batch's activations; a run then submits one command buffer per
    /// sub-batch. <see cref="Memory"/> and <see cref="Dispatches"/>
    /// are those of one sub-batch.</summary>
    public int SubBatch { get; }
    internal MemoryPlan Memory { get; }
    /// <summary>Bytes of the session's weight buffers (packed weights and their padding).</summary>
    public long WeightBytes => _weights.Sum(w => (long)w.Bytes);
    /// <summary>How many weight buffers the session binds (one per page: see <see cref="Planning.WeightPacker"/>).</summary>
    public int WeightBuffers => _weights.Length;
    /// <summary>Bytes of the session's activation arena (one sub-batch).</summary>
    public long ArenaBytes => (long)_arena.Bytes;
    internal IReadOnlyList<KernelDispatch> Dispatches { get; }
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
        SubBatchFit fit;
        using (PhaseLog.Measure("session plan (memory, kernels, weight packing)"))
            fit = SubBatchFit.Find(graph, device, options, ActivationBytes);
        SubBatch = fit.SubBatch;
        Memory = fit.Memory;
        Dispatches = fit.Dispatches;
        var window = device.UniformWindowBytes;

        // The pipelines compile (on a CPU implementation, the bulk of a session's creation) on every core while the
        // weights upload; the first run then only records.
        var pipelines = device.Pipelines.CreateAllAsync(Dispatches.Select(d => (d.Shader + ShaderSuffix, d.SpecConstants)));
        try
        {
            using (PhaseLog.Measure("session buffers + weight upload"))
            {
                _arena = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)Memory.ArenaElements * (ulong)ActivationBytes));
                _weights = new GpuBuffer[fit.WeightPages.Length];
                for (int p = 0; p < _weights.Length; p++)
                {
                    _weights[p] = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)fit.WeightPages[p].LongLength * 4));
                    _weights[p].Upload<float>(fit.WeightPages[p]);
                }
                _bindings = Track(new KernelBindings(device, _arena, _weights, window, ActivationBytes));
            }
            using (PhaseLog.Measure("session: wait for pipelines"))
                pipelines.GetAwaiter().GetResult();
        }
        catch
        {
            // Nothing of the session may be freed while pipelines are still being created for it (they stay the device's).
            try { pipelines.Wait(); }
            catch (AggregateException) { } // the first error is the one to report
            DisposeOwned();
            throw;
        }
    }

    /// <summary>Prepares <paramref name="graph"/> for <paramref name="device"/>: applies the passes chosen in
    /// <paramref name="options"/>, plans memory and specialises pipelines; with <see cref="SessionOptions.Warmup"/>, runs
    /// once (recording the span forms' binding).</summary>
    public static InferenceSession Create(ModelGraph graph, VulkanDevice device, SessionOptions? options = null)
    {
        options ??= new SessionOptions();
        // Forcing a 3x3 algorithm, a GEMM form or fp32 weights for int8 layers picks among packed kernels, so it keeps the
        // default layouts.
        var passes = options.Passes.ResolveFor(device.Kind == DeviceKind.Cpu, options.Kernels.LayoutNeutral == new KernelChoice()) with
        {
            FusionWindowElements = (int)(device.UniformWindowBytes / 4),
            MaxWeightElements = SubBatchFit.WeightPageElements(device),
        };
        ModelGraph passed;
        using (PhaseLog.Measure("session passes"))
            passed = PassPipeline.Apply(graph, passes);
        var session = new InferenceSession(passed, device, options);
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

    /// <summary>Allocation-free run: a convenience form over the <see cref="IoBinding"/> the session keeps for the span
    /// forms (host floats in, the main output to host floats): copies <paramref name="input"/> in, runs, copies the main
    /// output to <paramref name="output"/>. Returns that binding's result (stage times, and per-dispatch times with
    /// <see cref="SessionOptions.Profiling"/>), refreshed by the next span-form run. Thread-safe.</summary>
    public RunResult Run(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces batch {Batch} x {OutputShape} = {OutputLength}");
        lock (_runLock)
        {
            var binding = SpanBinding("Run(input, output)", input);
            var result = Run(binding);
            _spanOutput.CopyTo(output);
            return result;
        }
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

    /// <summary>Records the network's dispatches (one sub-batch) into <paramref name="recorder"/> (a binding's command buffer).</summary>
    internal void RecordDispatches(CommandRecorder recorder)
    {
        var pipelines = _device.Pipelines;
        foreach (var d in Dispatches)
            recorder.Dispatch(pipelines.Get(d.Shader + ShaderSuffix, d.SpecConstants), pipelines.Layout, _bindings.Sets[d.WeightPage], d.Push.ToArray(),
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

    /// <summary>Frees the session's GPU objects and its bindings'. Waits for a run in flight on another thread (its command
    /// buffers must not be destroyed under it); runs after this throw ObjectDisposedException.</summary>
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
