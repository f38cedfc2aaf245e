using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Vulkan;
using Silk.NET.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;

namespace GpuMobileNet.Runtime;

/// <summary>What one run reads and writes, by name, built once and reused (ONNX Runtime's IoBinding): the one way to run
/// a session with any inputs and outputs (<see cref="InferenceSession.Run(IoBinding, ulong, ulong)"/>,
/// <see cref="InferenceSession.Submit(IoBinding, ulong, ulong)"/>).
/// <para>Sources, per input: host floats (<see cref="BindInput(string, ReadOnlyMemory{float})"/>), 8-bit RGBA/BGRA frames
/// of any size, one per sample (<see cref="BindFrame"/>), the host's VkBuffer (<see cref="BindInput(string, ulong, ulong, ulong)"/>)
/// or the host's VkImage, one per sample (<see cref="BindImage"/>); frames and images are stretched and normalised into
/// the input on the device. Sinks, per output: host floats (<see cref="BindOutput(string, Memory{float})"/>) or the host's
/// VkBuffer (<see cref="BindOutput(string, ulong, ulong, ulong)"/>); an output left unbound stays on the device, in the
/// session's memory, where <see cref="RunResult.CopyOutput"/> reads it when wanted. Every source and sink works with
/// every batch size and every output, also where the session runs its batch as sub-batches.</para>
/// <para>A binding records its own command buffers (one per sub-batch) at its first run and again only after a change
/// that alters them (a source's kind, a host buffer or image, a pixel order or normalisation, a frame larger than any
/// before); new host memory or new frame pixels of a fitting size are picked up by the next run without recording, so
/// steady-state runs allocate nothing and create no Vulkan object.</para>
/// <para>The host's buffers hold the session's activation type (float32, or float16 for the fp16 precisions:
/// <see cref="InferenceSession.ActivationBytes"/> bytes a value), NCHW, batch samples back to back, at any byte offset.
/// An input buffer needs VK_BUFFER_USAGE_TRANSFER_SRC_BIT, an output buffer TRANSFER_DST_BIT, an image TRANSFER_SRC usage;
/// they must be owned by the session's queue family (the one given to <see cref="VulkanDevice.FromHost"/>) or be
/// concurrent: the engine does no queue family ownership transfer. The run's first barrier waits for all earlier work on
/// the queue and makes its writes visible, its last makes the outputs visible to all later work.</para>
/// <para>Not thread-safe: bind from one thread, and not while a run of this binding is in flight; runs themselves are
/// serialised by the session. Dispose it (or the session) to free what it recorded.</para></summary>
public sealed class IoBinding : IDisposable
{
    private readonly BoundInput?[] _inputs;
    private readonly BoundOutput?[] _outputs;
    private bool _changed = true;

    internal IoBinding(InferenceSession session)
    {
        Session = session;
        _inputs = new BoundInput?[session.Graph.Inputs.Count];
        _outputs = new BoundOutput?[session.Graph.Outputs.Count];
        Result = new RunResult(this);
    }

    /// <summary>The session this binding runs.</summary>
    public InferenceSession Session { get; }

    /// <summary>The result every run of this binding refreshes.</summary>
    internal RunResult Result { get; }

    /// <summary>The recorded command buffers and the buffers they use; null until the first run after a change.</summary>
    internal BindingPlan? Plan { get; private set; }

    internal BoundInput?[] Inputs => _inputs;
    internal BoundOutput?[] Outputs => _outputs;
    internal bool Disposed { get; private set; }

    /// <summary>Feeds input <paramref name="name"/> (see <see cref="InferenceSession.InputNames"/>) with host floats:
    /// batch x its shape values, NCHW. The memory is read at each run, so refilling it needs no new bind.</summary>
    public IoBinding BindInput(string name, ReadOnlyMemory<float> values)
    {
        int i = InputIndex(name);
        var input = Session.InputValues[i];
        long expected = (long)Session.Batch * input.Shape.Elements;
        if (values.Length != expected)
            throw new ArgumentException($"input '{name}' has {values.Length} values; '{Session.Graph.Name}' expects batch {Session.Batch} x {input.Shape} = {expected}");
        var bound = Replace(i, SourceKind.HostFloats);
        bound.Floats = values;
        return this;
    }

    /// <summary>Reads input <paramref name="name"/> from the host's <paramref name="buffer"/> (a VkBuffer handle) at <paramref name="byteOffset"/>.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes (Vulkan cannot be asked), so that a range past its end is refused here.</param>
    public IoBinding BindInput(string name, ulong buffer, ulong bufferBytes, ulong byteOffset = 0)
    {
        int i = InputIndex(name);
        var range = Check($"input '{name}'", Session.InputValues[i], buffer, bufferBytes, byteOffset);
        _inputs[i] = new BoundInput(SourceKind.HostBuffer, 0) { Range = range };
        _changed = true;
        return this;
    }

    /// <summary>Reads the main input from the host's <paramref name="buffer"/> at <paramref name="byteOffset"/>.</summary>
    public IoBinding BindInput(ulong buffer, ulong bufferBytes, ulong byteOffset = 0) =>
        BindInput(Session.Graph.Input.Name, buffer, bufferBytes, byteOffset);

    /// <summary>Feeds sample <paramref name="sample"/> of input <paramref name="name"/> (3 channels) with a packed 8-bit
    /// frame of any size (<paramref name="width"/> x <paramref name="height"/>, rows top to bottom, 4 bytes a pixel, the
    /// fourth ignored): stretched to the input and normalised on the device with <paramref name="normalisation"/> (default
    /// pixel / 255), as <see cref="Imaging.ImagePreprocessor.ToTensor"/> does. Every sample of the input needs a frame or
    /// an image. The pixels are read at each run.</summary>
    public IoBinding BindFrame(string name, int sample, ReadOnlyMemory<byte> pixels, int width, int height,
        HostImageFormat order = HostImageFormat.Rgba8, Rgba8Normalisation? normalisation = null)
    {
        var slot = PixelSlotOf(name, sample, width, height, "frame");
        if (pixels.Length != (long)width * height * 4)
            throw new ArgumentException($"a {width}x{height} frame has {(long)width * height * 4} bytes, got {pixels.Length}");
        normalisation ??= Rgba8Normalisation.Default;
        _changed |= slot.Image != 0 || slot.Order != order || slot.Normalisation != normalisation;
        (slot.Pixels, slot.Width, slot.Height, slot.Order, slot.Normalisation, slot.Image) = (pixels, width, height, order, normalisation, 0);
        return this;
    }

    /// <summary>Feeds sample <paramref name="sample"/> of input <paramref name="name"/> with the host's VkImage: mip 0,
    /// layer 0, 4 bytes a texel, TRANSFER_SRC usage, in <paramref name="layout"/> (moved to TRANSFER_SRC_OPTIMAL for the
    /// copy and back after it); stretched and normalised on the device as <see cref="BindFrame"/> does.</summary>
    public IoBinding BindImage(string name, int sample, ulong image, int width, int height, HostImageFormat format, ImageLayout layout,
        Rgba8Normalisation? normalisation = null)
    {
        if (image == 0) throw new ArgumentException("image is VK_NULL_HANDLE", nameof(image));
        if (layout is ImageLayout.Undefined or ImageLayout.Preinitialized)
            throw new ArgumentException($"image layout {layout}: the image's contents must be defined (and it must return to a layout it can hold)", nameof(layout));
        var slot = PixelSlotOf(name, sample, width, height, "image");
        normalisation ??= Rgba8Normalisation.Default;
        _changed |= slot.Image != image || slot.Width != width || slot.Height != height || slot.Order != format ||
                    slot.Layout != layout || slot.Normalisation != normalisation;
        (slot.Pixels, slot.Width, slot.Height, slot.Order, slot.Normalisation, slot.Image, slot.Layout) =
            (default, width, height, format, normalisation, image, layout);
        return this;
    }

    /// <summary>Copies output <paramref name="name"/> (see <see cref="InferenceSession.OutputNames"/>) to host memory
    /// after each run: batch x its shape values.</summary>
    public IoBinding BindOutput(string name, Memory<float> target)
    {
        int i = OutputIndex(name);
        long expected = (long)Session.Batch * Session.OutputValues[i].Shape.Elements;
        if (target.Length != expected)
            throw new ArgumentException($"output '{name}' has {expected} values (batch {Session.Batch} x {Session.OutputValues[i].Shape}); the target holds {target.Length}");
        if (_outputs[i] is not { Kind: SinkKind.HostFloats } bound)
        {
            _outputs[i] = bound = new BoundOutput(SinkKind.HostFloats);
            _changed = true;
        }
        bound.Target = target;
        return this;
    }

    /// <summary>Writes the main output into the host's <paramref name="buffer"/> (a VkBuffer handle) at <paramref name="byteOffset"/>.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes.</param>
    public IoBinding BindOutput(ulong buffer, ulong bufferBytes, ulong byteOffset = 0) =>
        BindOutput(Session.Graph.Output.Name, buffer, bufferBytes, byteOffset);

    /// <summary>Writes output <paramref name="name"/> into the host's <paramref name="buffer"/> at <paramref name="byteOffset"/>;
    /// binding an output again replaces its sink.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes.</param>
    public IoBinding BindOutput(string name, ulong buffer, ulong bufferBytes, ulong byteOffset = 0)
    {
        int i = OutputIndex(name);
        var range = Check($"output '{name}'", Session.OutputValues[i], buffer, bufferBytes, byteOffset);
        _outputs[i] = new BoundOutput(SinkKind.HostBuffer) { Range = range };
        _changed = true;
        return this;
    }

    /// <summary>Unbinds every output: they stay in the session's memory on the device.</summary>
    public void ClearBoundOutputs()
    {
        Array.Clear(_outputs);
        _changed = true;
    }

    private int InputIndex(string name) => IndexOf(Session.InputValues, name, "input");

    internal int OutputIndex(string name) => IndexOf(Session.OutputValues, name, "output");

    /// <summary>Where <paramref name="name"/> is among <paramref name="values"/> (the session's inputs or outputs), or an
    /// error naming them all.</summary>
    private int IndexOf(Value[] values, string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(Disposed, this);
        for (int i = 0; i < values.Length; i++)
            if (values[i].Name == name) return i;
        throw new ArgumentException($"'{Session.Graph.Name}' has no {kind} '{name}'; {kind}s are {string.Join(", ", values.Select(v => $"'{v.Name}'"))}");
    }

    /// <summary>The input's bound source, replaced by a new one of <paramref name="kind"/> (a change) where it is of another.</summary>
    private BoundInput Replace(int index, SourceKind kind)
    {
        if (_inputs[index] is { } bound && bound.Kind == kind) return bound;
        _changed = true;
        return _inputs[index] = new BoundInput(kind, kind == SourceKind.Pixels ? Session.Batch : 0);
    }

    private PixelSlot PixelSlotOf(string name, int sample, int width, int height, string what)
    {
        int i = InputIndex(name);
        var input = Session.InputValues[i];
        if (input.Shape.C != 3)
            throw new ArgumentException($"input '{name}' ({input.Shape}) has {input.Shape.C} channels; a {what} fills 3");
        if (sample < 0 || sample >= Session.Batch)
            throw new ArgumentOutOfRangeException(nameof(sample), $"sample {sample}: session '{Session.Graph.Name}' has batch {Session.Batch}");
        if (width < 1 || height < 1 || width > InferenceSession.MaxRgba8Side || height > InferenceSession.MaxRgba8Side)
            throw new ArgumentException($"{what} size {width}x{height}: each side must be 1..{InferenceSession.MaxRgba8Side}");
        return Replace(i, SourceKind.Pixels).Slots[sample];
    }

    /// <summary>Bytes a bound buffer needs past its offset for <paramref name="value"/> (batch x shape x activation bytes).</summary>
    private ulong BytesOf(Value value) => (ulong)Session.Batch * (ulong)value.Shape.Elements * (ulong)Session.ActivationBytes;

    private HostRange Check(string what, Value value, ulong buffer, ulong bufferBytes, ulong byteOffset)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (buffer == 0) throw new ArgumentException($"IoBinding {what}: the buffer is VK_NULL_HANDLE", nameof(buffer));
        ulong bytes = BytesOf(value);
        if (byteOffset > bufferBytes || bufferBytes - byteOffset < bytes)
            throw new ArgumentOutOfRangeException(nameof(byteOffset), $"IoBinding {what} '{value.Name}': batch {Session.Batch} x {value.Shape} " +
                $"needs {bytes} bytes at offset {byteOffset}, past the end of the host's buffer of {bufferBytes} bytes");
        return new HostRange(new VkBuffer(buffer), byteOffset, bytes);
    }

    /// <summary>The plan for the current bindings, recorded again only after a change or for a frame larger than its
    /// slots (call with the session's run lock held and no run of this binding in flight).</summary>
    internal BindingPlan Prepare()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        for (int i = 0; i < _inputs.Length; i++)
        {
            var name = Session.InputValues[i].Name;
            if (_inputs[i] is not { } input)
                throw new InvalidOperationException($"IoBinding of '{Session.Graph.Name}': no source bound for input '{name}'");
            for (int s = 0; s < input.Slots.Length; s++)
                if (input.Slots[s].Width == 0)
                    throw new InvalidOperationException($"IoBinding of '{Session.Graph.Name}': input '{name}' has no frame or image for sample {s} (batch {Session.Batch})");
        }
        if (Plan is not null && !_changed && Plan.FramesFit()) return Plan;
        ReleasePlan();
        Plan = new BindingPlan(Session, this);
        _changed = false;
        return Plan;
    }

    internal void ReleasePlan()
    {
        Plan?.Dispose();
        Plan = null;
    }

    /// <summary>Frees what the binding recorded, after waiting for its run in flight. The host's buffers are untouched.</summary>
    public void Dispose() => Session.Release(this);

    internal void MarkDisposed() => Disposed = true;
}

internal enum SourceKind { HostFloats, HostBuffer, Pixels }

internal enum SinkKind { HostFloats, HostBuffer }

/// <summary>A range of a buffer the host owns.</summary>
internal readonly record struct HostRange(VkBuffer Buffer, ulong Offset, ulong Bytes);

/// <summary>One input's source: host floats, a host buffer range, or one frame or image per sample.</summary>
internal sealed class BoundInput(SourceKind kind, int samples)
{
    public SourceKind Kind { get; } = kind;
    public ReadOnlyMemory<float> Floats { get; set; }
    public HostRange Range { get; init; }
    public PixelSlot[] Slots { get; } = Enumerable.Range(0, samples).Select(_ => new PixelSlot()).ToArray();
}

/// <summary>One sample's pixels: a host frame (<see cref="Pixels"/>) or, where <see cref="Image"/> is set, the host's image.</summary>
internal sealed class PixelSlot
{
    public ReadOnlyMemory<byte> Pixels { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public HostImageFormat Order { get; set; }
    public Rgba8Normalisation Normalisation { get; set; } = Rgba8Normalisation.Default;
    public ulong Image { get; set; }
    public ImageLayout Layout { get; set; }
}

/// <summary>One output's sink: host floats or a host buffer range.</summary>
internal sealed class BoundOutput(SinkKind kind)
{
    public SinkKind Kind { get; } = kind;
    public Memory<float> Target { get; set; }
    public HostRange Range { get; init; }
}
