using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

// Runs whose input and outputs live in the host's own VkBuffers (IoBinding): copies on the device, no host round trip.
public sealed partial class InferenceSession
{
    private readonly List<IoBinding> _ioBindings = [];

    /// <summary>A binding of this session's input and outputs to the host's VkBuffers on this session's device; see
    /// <see cref="IoBinding"/>. Creates no Vulkan object until its first run. Thread-safe.</summary>
    public IoBinding CreateIoBinding()
    {
        lock (_runLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireSingleInput("IoBinding");
            var binding = new IoBinding(this);
            _ioBindings.Add(binding);
            return binding;
        }
    }

    /// <summary>Runs on <paramref name="binding"/>'s buffers and blocks until the device is done: the bound outputs are then
    /// in the host's buffers, and every output can also be read with <see cref="PendingRun.GetOutput"/> of a
    /// <see cref="Submit(IoBinding, ulong, ulong)"/>. Thread-safe (runs of one session are serialised).</summary>
    /// <param name="waitSemaphore">A binary VkSemaphore the host signals when the input is written, or 0.</param>
    /// <param name="signalSemaphore">A VkSemaphore the run signals when the outputs are written, or 0.</param>
    public void Run(IoBinding binding, ulong waitSemaphore = 0, ulong signalSemaphore = 0) =>
        Submit(binding, waitSemaphore, signalSemaphore).Wait();

    /// <summary>Submits a run on <paramref name="binding"/>'s buffers without waiting (as <see cref="Submit(ReadOnlySpan{float}, ulong, ulong)"/>
    /// does for host floats); the host's next queue work may wait on <paramref name="signalSemaphore"/> instead of the CPU
    /// waiting. The command buffer is recorded on the first run and after a binding changes. Thread-safe.</summary>
    /// <exception cref="NotSupportedException">The session runs its batch as sub-batches (the device's limits).</exception>
    public PendingRun Submit(IoBinding binding, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (binding.Session != this)
            throw new ArgumentException($"the IoBinding belongs to another session ('{binding.Session.Graph.Name}'), not '{Graph.Name}'", nameof(binding));
        lock (_runLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (SubBatch < Batch)
                throw new NotSupportedException($"'{Graph.Name}' runs batch {Batch} as sub-batches of {SubBatch} on '{_device.Name}' " +
                    "(its buffer limits), one submission each: an IoBinding needs the whole batch in one, so use a batch that fits");
            BeginRunLocked();
            var recorder = binding.Prepare((prologue, epilogue) =>
            {
                var r = new CommandRecorder(_device, Dispatches.Count, profiling: false);
                try
                {
                    Record(r, prologue, epilogue);
                    return r;
                }
                catch
                {
                    r.Dispose();
                    throw;
                }
            });
            _device.Submit(recorder.Buffer, recorder.Fence, waitSemaphore, signalSemaphore);
            return _pending = new PendingRun(this, _generation, recorder.Fence);
        }
    }

    /// <summary>The activation arena, where an IoBinding's copies read and write.</summary>
    internal GpuBuffer ArenaBuffer => _arena;

    /// <summary>The packed weights (gmn export-hlsl writes them out).</summary>
    internal GpuBuffer WeightBuffer => _weights;

    /// <summary>Byte offset of <paramref name="value"/> in the arena.</summary>
    internal ulong ArenaOffsetOf(Value value) => (ulong)Memory.OffsetOf(value) * (ulong)ActivationBytes;

    /// <summary>A binding's Dispose: waits for its run in flight, frees its command buffer.</summary>
    internal void Release(IoBinding binding)
    {
        lock (_runLock)
        {
            if (binding.Disposed) return;
            if (_pending is not null && binding.Recorder is { } r && _pending.Fence.Handle == r.Fence.Handle)
                CompletePendingLocked();
            binding.ReleaseRecorder();
            binding.MarkDisposed();
            _ioBindings.Remove(binding);
        }
    }

    /// <summary>The session's Dispose (after its run in flight completed): frees every binding's command buffer.</summary>
    private void ReleaseIoBindings()
    {
        foreach (var b in _ioBindings)
        {
            b.ReleaseRecorder();
            b.MarkDisposed();
        }
        _ioBindings.Clear();
    }
}
