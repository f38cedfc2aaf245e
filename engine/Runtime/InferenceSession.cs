using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>A graph bound to a device: passes applied, memory planned, pipelines specialised, one command
/// buffer recorded. <see cref="Run(ReadOnlySpan{float}, Span{float})"/> only copies the input in, replays
/// that command buffer and copies the output out: it creates no Vulkan objects.</summary>
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
    private bool _disposed;

    public ModelGraph Graph { get; }
    public int Batch { get; }
    public TensorShape InputShape => Graph.Input.Shape;
    public TensorShape OutputShape => Graph.Output.Shape;
    public int InputLength => Batch * InputShape.Elements;
    public int OutputLength => Batch * OutputShape.Elements;
    public MemoryPlan Memory { get; }
    public IReadOnlyList<KernelDispatch> Dispatches { get; }
    public int BarrierCount => _recorder.BarrierCount;
    public VulkanDevice Device => _device;
    public Precision Precision { get; }

    /// <summary>Bytes per activation element in GPU memory.</summary>
    public int ActivationBytes => Precision == Precision.Float32 ? 4 : 2;

    /// <summary>Shader name suffix of the precision variant (see shaders/Shaders.targets).</summary>
    private string ShaderSuffix => Precision switch
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
        Batch = options.Batch;
        Precision = options.Precision;
        CheckPrecision(device, Precision);
        Memory = options.MemoryReuse ? ReusePlanner.Plan(graph, Batch, InPlacePolicy.Default) : NaivePlanner.Plan(graph, Batch);
        var window = device.UniformWindowBytes;
        var packer = new WeightPacker((int)(device.UniformOffsetAlignment / 4));
        var ctx = new KernelContext(Memory, packer, Batch, (int)(window / 4), ActivationBytes,
            device.SupportsSubgroupBroadcast ? device.SubgroupSize : 0, (long)Math.Min(device.MaxTexelBufferElements, long.MaxValue / 4) * 4);
        Dispatches = graph.Nodes.SelectMany(n => KernelSelector.Plan(n, ctx, options.Kernels)).ToList();
        var weightData = packer.ToArray(tailPadding: (int)(window / 4));

        var created = new List<IDisposable>();
        try
        {
            _arena = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)Memory.ArenaElements * (ulong)ActivationBytes), created);
            _weights = Track(GpuBuffer.CreateDeviceLocal(device, (ulong)weightData.Length * 4), created);
            _weights.Upload<float>(weightData);
            if (!_arena.IsHostVisible)
            {
                _stagingIn = Track(GpuBuffer.CreateStaging(device, (ulong)InputLength * (ulong)ActivationBytes), created);
                _stagingOut = Track(GpuBuffer.CreateStaging(device, (ulong)OutputLength * (ulong)ActivationBytes), created);
                _stagingExtra = graph.ExtraOutputs.Select(v => Track(GpuBuffer.CreateStaging(device, (ulong)(Batch * v.Shape.Elements) * (ulong)ActivationBytes), created)).ToArray();
            }
            _bindings = Track(new KernelBindings(device, _arena, _weights, window, ActivationBytes), created);
            _recorder = Track(new CommandRecorder(device, Dispatches.Count, options.Profiling), created);
            Record();
        }
        catch
        {
            for (int i = created.Count - 1; i >= 0; i--) created[i].Dispose();
            throw;
        }
    }

    /// <summary>Prepares <paramref name="graph"/> for <paramref name="device"/>: applies the passes chosen in
    /// <paramref name="options"/>, plans memory, specialises pipelines and records the command buffer.</summary>
    public static InferenceSession Create(ModelGraph graph, VulkanDevice device, SessionOptions? options = null)
    {
        options ??= new SessionOptions();
        var passes = options.Passes.ResolveFor(device.Kind == DeviceKind.Cpu, options.Kernels == new KernelChoice()) with
        {
            FusionWindowElements = (int)(device.UniformWindowBytes / 4),
        };
        var session = new InferenceSession(PassPipeline.Apply(graph, passes), device, options);
        if (options.Warmup)
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
        if (input.Length != InputLength)
            throw new ArgumentException($"input has {input.Length} values; '{Graph.Name}' expects batch {Batch} x {InputShape} = {InputLength}");
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces batch {Batch} x {OutputShape} = {OutputLength}");
        lock (_runLock)
        {
            // Staging buffers hold just the input / output; otherwise they live at their place in the arena.
            var inBuffer = _stagingIn ?? _arena;
            var outBuffer = _stagingOut ?? _arena;
            ulong inBytes = _stagingIn is null ? (ulong)Memory.OffsetOf(Graph.Input) * (ulong)ActivationBytes : 0;
            ulong outBytes = _stagingOut is null ? (ulong)Memory.OffsetOf(Graph.Output) * (ulong)ActivationBytes : 0;
            if (ActivationBytes == 4)
            {
                input.CopyTo(inBuffer.AsSpan<float>(inBytes, InputLength));
                _device.SubmitAndWait(_recorder.Buffer);
                outBuffer.AsSpan<float>(outBytes, OutputLength).CopyTo(output);
            }
            else
            {
                var halves = inBuffer.AsSpan<Half>(inBytes, InputLength);
                for (int i = 0; i < halves.Length; i++) halves[i] = (Half)input[i];
                _device.SubmitAndWait(_recorder.Buffer);
                var results = outBuffer.AsSpan<Half>(outBytes, OutputLength);
                for (int i = 0; i < results.Length; i++) output[i] = (float)results[i];
            }
            if (_recorder.Profiling)
                LastTimings = _recorder.ReadTimings().Zip(Dispatches, (t, d) => new LayerTiming(t.Label, d.Shader, t.Milliseconds)).ToList();
        }
    }

    private void Record()
    {
        var pipelines = _device.Pipelines;
        _recorder.Begin();
        ulong bytes = (ulong)ActivationBytes;
        if (_stagingIn is not null)
            _recorder.Copy(_stagingIn, 0, _arena, (ulong)Memory.OffsetOf(Graph.Input) * bytes, (ulong)InputLength * bytes);
        foreach (var d in Dispatches)
            _recorder.Dispatch(pipelines.Get(d.Shader + ShaderSuffix, d.SpecConstants), pipelines.Layout, _bindings.Set, d.Push.ToArray(),
                d.Groups, d.Reads, d.Writes, d.Label, d.UniformWindowOffsetBytes, d.UniformWindow2OffsetBytes);
        if (_stagingOut is not null)
            _recorder.Copy(_arena, (ulong)Memory.OffsetOf(Graph.Output) * bytes, _stagingOut, 0, (ulong)OutputLength * bytes);
        RecordExtraOutputCopies();
        _recorder.End();
    }

    private static void CheckPrecision(VulkanDevice device, Precision precision)
    {
        if (precision != Precision.Float32 && !device.SupportsFloat16Storage)
            throw new NotSupportedException($"{precision}: device '{device.Name}' has no 16-bit storage buffers");
        if (precision == Precision.Float16 && !device.SupportsFloat16Arithmetic)
            throw new NotSupportedException($"{precision}: device '{device.Name}' has no fp16 arithmetic (shaderFloat16)");
    }

    private static T Track<T>(T item, List<IDisposable> created) where T : IDisposable
    {
        created.Add(item);
        return item;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _recorder.Dispose();
        _bindings.Dispose();
        _stagingOut?.Dispose();
        foreach (var b in _stagingExtra) b.Dispose();
        _stagingIn?.Dispose();
        _weights.Dispose();
        _arena.Dispose();
    }
}
