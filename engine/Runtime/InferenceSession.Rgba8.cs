using GpuMobileNet.Kernels;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>The RGBA8 entry point: a raw frame goes to the device as bytes and shaders/preprocess_rgba8.comp
/// resizes and normalises it into the input's place in the arena, in the same command buffer as the network.</summary>
public sealed partial class InferenceSession
{
    /// <summary>Largest frame side <see cref="RunRgba8"/> accepts (keeps the shader's integer positions in range).</summary>
    public const int MaxRgba8Side = 16384;

    private Rgba8Frames? _rgba8;

    /// <summary>GPU milliseconds of the last <see cref="RunRgba8"/>: the preprocessing dispatch and the network;
    /// both 0 where the device has no timestamps.</summary>
    public (double PreprocessMs, double NetworkMs) LastRgba8GpuTimes { get; private set; }

    /// <summary>What <see cref="RunRgba8"/> records before the network (the preprocessing); empty before the first frame.</summary>
    internal IReadOnlyList<KernelDispatch> Rgba8Dispatches { get; private set; } = [];

    /// <summary>Runs the network on one RGBA8 frame (<paramref name="width"/> x <paramref name="height"/>, rows top to
    /// bottom, 4 bytes per pixel, alpha ignored) of any size: stretched to the input and normalised on the device with
    /// <paramref name="normalisation"/> (default pixel / 255), matching <see cref="Imaging.ImagePreprocessor.ToTensor"/>.
    /// Batch-1 sessions only. The first call, and one with a frame larger than any before, records a command buffer.</summary>
    public void RunRgba8(ReadOnlySpan<byte> rgba, int width, int height, Span<float> output, Rgba8Normalisation? normalisation = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleInput("RunRgba8");
        if (Batch != 1)
            throw new InvalidOperationException($"RunRgba8 fills one image; session '{Graph.Name}' has batch {Batch}");
        if (width < 1 || height < 1 || width > MaxRgba8Side || height > MaxRgba8Side)
            throw new ArgumentException($"frame size {width}x{height}: each side must be 1..{MaxRgba8Side}");
        if (rgba.Length != (long)width * height * 4)
            throw new ArgumentException($"a {width}x{height} RGBA8 frame has {(long)width * height * 4} bytes, got {rgba.Length}");
        if (output.Length != OutputLength)
            throw new ArgumentException($"output span has {output.Length} values; '{Graph.Name}' produces {OutputShape} = {OutputLength}");
        normalisation ??= Rgba8Normalisation.Default;
        lock (_runLock)
        {
            BeginRunLocked();
            if (_rgba8 is null || !_rgba8.Fits(rgba.Length) || _rgba8.Normalisation != normalisation)
            {
                _rgba8?.Dispose();
                _rgba8 = null;
                _rgba8 = CreateRgba8Frames(rgba.Length, normalisation);
            }
            _rgba8.Write(rgba, width, height);
            _device.SubmitAndWait(_rgba8.Recorder);
            ReadOutput(output);
            if (_rgba8.Recorder.Profiling)
            {
                var t = _rgba8.Recorder.ReadTimings();
                LastRgba8GpuTimes = (t[0].Milliseconds, t.Skip(1).Sum(x => x.Milliseconds));
            }
        }
    }

    private Rgba8Frames CreateRgba8Frames(int frameBytes, Rgba8Normalisation normalisation)
    {
        var dispatch = PreprocessRgba8Kernel.Plan(Graph.Input, checked((uint)Memory.OffsetOf(Graph.Input)), ActivationBytes, normalisation);
        var frames = new Rgba8Frames(_device, _arena, frameBytes, ActivationBytes, Dispatches.Count + 1, normalisation);
        try
        {
            var pipelines = _device.Pipelines;
            Record(frames.Recorder, r => r.Dispatch(pipelines.Get(dispatch.Shader + ShaderSuffix, dispatch.SpecConstants), pipelines.Layout,
                frames.Bindings.Set, dispatch.Push.ToArray(), dispatch.Groups, dispatch.Reads, dispatch.Writes, dispatch.Label));
            Rgba8Dispatches = [dispatch];
            return frames;
        }
        catch
        {
            frames.Dispose();
            throw;
        }
    }
}

/// <summary>What <see cref="InferenceSession.RunRgba8"/> owns: a host-visible frame buffer (header + packed pixels),
/// a descriptor set with the session's arena at binding 0 and the frame at binding 1, and its own command buffer
/// (preprocessing, then the network). Replaced by a bigger one when a larger frame arrives.</summary>
internal sealed class Rgba8Frames : IDisposable
{
    private readonly GpuBuffer _frame;
    private readonly int _capacityBytes;

    public KernelBindings Bindings { get; }
    public CommandRecorder Recorder { get; }
    public Rgba8Normalisation Normalisation { get; }

    public Rgba8Frames(VulkanDevice device, GpuBuffer arena, int frameBytes, int activationBytes, int dispatches, Rgba8Normalisation normalisation)
    {
        Normalisation = normalisation;
        _capacityBytes = frameBytes;
        ulong window = device.UniformWindowBytes;
        // The set's uniform windows cover `window` bytes of binding 1's buffer, so the frame buffer is at least that big.
        ulong bytes = Math.Max((ulong)frameBytes + PreprocessRgba8Kernel.HeaderWords * 4, window);
        _frame = GpuBuffer.CreateStaging(device, bytes);
        try
        {
            Bindings = new KernelBindings(device, arena, _frame, window, activationBytes);
            Recorder = new CommandRecorder(device, dispatches, device.SupportsTimestamps);
        }
        catch
        {
            Bindings?.Dispose();
            _frame.Dispose();
            throw;
        }
    }

    public bool Fits(int frameBytes) => frameBytes <= _capacityBytes;

    /// <summary>The host-visible frame buffer (header, then packed pixels) the preprocessing reads.</summary>
    public GpuBuffer Frame => _frame;

    /// <summary>Writes only the header, for pixels that a recorded copy (from a host's image) puts in place.</summary>
    public void WriteHeader(int width, int height)
    {
        var header = _frame.AsSpan<uint>(0, PreprocessRgba8Kernel.HeaderWords);
        header[0] = (uint)width;
        header[1] = (uint)height;
        _frame.FlushHostWrites(0, PreprocessRgba8Kernel.HeaderWords * 4);
    }

    public void Write(ReadOnlySpan<byte> rgba, int width, int height)
    {
        var header = _frame.AsSpan<uint>(0, PreprocessRgba8Kernel.HeaderWords);
        header[0] = (uint)width;
        header[1] = (uint)height;
        rgba.CopyTo(_frame.AsSpan<byte>(PreprocessRgba8Kernel.HeaderWords * 4, rgba.Length));
        _frame.FlushHostWrites(0, PreprocessRgba8Kernel.HeaderWords * 4 + (ulong)rgba.Length);
    }

    public void Dispose()
    {
        Recorder.Dispose();
        Bindings.Dispose();
        _frame.Dispose();
    }
}
