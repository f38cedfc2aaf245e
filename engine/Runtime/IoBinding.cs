using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;
using VkBuffer = Silk.NET.Vulkan.Buffer;

namespace GpuMobileNet.Runtime;

/// <summary>Inputs and outputs bound to buffers the host owns on the session's device (ONNX Runtime's IoBinding): a run
/// (<see cref="InferenceSession.Run(IoBinding, ulong, ulong)"/>, <see cref="InferenceSession.Submit(IoBinding, ulong, ulong)"/>)
/// copies the input from the host's VkBuffer into the session's memory and each bound output into the host's VkBuffer,
/// all in the session's command buffer: the data never goes through host memory. Outputs left unbound stay in the
/// session's memory on the device (read them with <see cref="InferenceSession.PendingRun.GetOutput"/> when wanted).
/// <para>The host's buffers hold the session's activation type (float32, or float16 for the fp16 precisions:
/// <see cref="InferenceSession.ActivationBytes"/> bytes a value), NCHW, batch samples back to back, at any byte offset.
/// An input buffer needs VK_BUFFER_USAGE_TRANSFER_SRC_BIT, an output buffer TRANSFER_DST_BIT. They must be owned by the
/// session's queue family (the one given to <see cref="VulkanDevice.FromHost"/>) or created with
/// VK_SHARING_MODE_CONCURRENT: the engine does no queue family ownership transfer. The run's first barrier waits for
/// all earlier work on the queue and makes its writes visible, its last makes the outputs visible to all later work.</para>
/// <para>Not thread-safe: bind from one thread, and not while a run of this binding is in flight on another; runs
/// themselves are serialised by the session. Dispose it (or the session) to free its command buffer.</para></summary>
public sealed class IoBinding : IDisposable
{
    private readonly List<(Value Output, HostRange Range)> _outputs = [];
    private HostRange? _input;
    private bool _changed = true;

    internal IoBinding(InferenceSession session) => Session = session;

    /// <summary>The session this binding runs.</summary>
    public InferenceSession Session { get; }

    /// <summary>The recorded command buffer (input copy, network, output copies); null until the first run after a change.</summary>
    internal CommandRecorder? Recorder { get; private set; }

    internal bool Disposed { get; private set; }

    /// <summary>Reads the session's input from <paramref name="buffer"/> (a VkBuffer handle) at <paramref name="byteOffset"/>.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes (Vulkan cannot be asked), so that a range past its end is refused here.</param>
    public IoBinding BindInput(ulong buffer, ulong bufferBytes, ulong byteOffset = 0)
    {
        _input = Check("input", Session.Graph.Input, buffer, bufferBytes, byteOffset);
        _changed = true;
        return this;
    }

    /// <summary>Writes the main output into <paramref name="buffer"/> (a VkBuffer handle) at <paramref name="byteOffset"/>.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes.</param>
    public IoBinding BindOutput(ulong buffer, ulong bufferBytes, ulong byteOffset = 0) =>
        BindOutput(Session.Graph.Output.Name, buffer, bufferBytes, byteOffset);

    /// <summary>Writes output <paramref name="name"/> (see <see cref="InferenceSession.OutputNames"/>) into
    /// <paramref name="buffer"/> at <paramref name="byteOffset"/>; binding an output again replaces its buffer.</summary>
    /// <param name="bufferBytes">The buffer's size in bytes.</param>
    public IoBinding BindOutput(string name, ulong buffer, ulong bufferBytes, ulong byteOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        var output = Session.Graph.FindOutput(name)
            ?? throw new ArgumentException($"'{Session.Graph.Name}' has no output '{name}'; outputs are {string.Join(", ", Session.OutputNames.Select(n => $"'{n}'"))}");
        var range = Check($"output '{name}'", output, buffer, bufferBytes, byteOffset);
        _outputs.RemoveAll(o => o.Output == output);
        _outputs.Add((output, range));
        _changed = true;
        return this;
    }

    /// <summary>Unbinds every output: they stay in the session's memory on the device.</summary>
    public void ClearBoundOutputs()
    {
        _outputs.Clear();
        _changed = true;
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

    /// <summary>The command buffer for the current bindings, recorded again only after a change (call with the session's
    /// run lock held and no run of this binding in flight).</summary>
    internal CommandRecorder Prepare(Func<Action<CommandRecorder>, Action<CommandRecorder>, CommandRecorder> record)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (_input is not { } input)
            throw new InvalidOperationException($"IoBinding of '{Session.Graph.Name}': no input bound (BindInput)");
        if (Recorder is not null && !_changed) return Recorder;
        ReleaseRecorder();
        var outputs = _outputs.ToArray();
        Recorder = record(
            r => r.CopyFromHostBuffer(input.Buffer, input.Offset, Session.ArenaBuffer, Session.ArenaOffsetOf(Session.Graph.Input), input.Bytes),
            r =>
            {
                foreach (var (value, range) in outputs)
                    r.CopyToHostBuffer(Session.ArenaBuffer, Session.ArenaOffsetOf(value), range.Buffer, range.Offset, range.Bytes);
            });
        _changed = false;
        return Recorder;
    }

    internal void ReleaseRecorder()
    {
        Recorder?.Dispose();
        Recorder = null;
    }

    /// <summary>Frees the binding's command buffer, after waiting for its run in flight. The host's buffers are untouched.</summary>
    public void Dispose() => Session.Release(this);

    internal void MarkDisposed() => Disposed = true;

    private readonly record struct HostRange(VkBuffer Buffer, ulong Offset, ulong Bytes);
}
