using GpuMobileNet.Graph;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

// The one way to run: named sources and sinks described by an IoBinding, built once and reused.
public sealed partial class InferenceSession
{
    private readonly List<IoBinding> _ioBindings = [];

    /// <summary>A binding of this session's inputs and outputs to sources and sinks by name; see <see cref="IoBinding"/>.
    /// Creates no Vulkan object until its first run. Thread-safe.</summary>
    public IoBinding CreateIoBinding()
    {
        lock (_runLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var binding = new IoBinding(this);
            _ioBindings.Add(binding);
            return binding;
        }
    }

    /// <summary>Runs on <paramref name="binding"/>'s sources and sinks and blocks until the device is done: host-float
    /// outputs are then filled, host buffers written, and the returned result (the binding's own, refreshed) holds the
    /// stage times. Steady-state runs allocate nothing. Thread-safe (runs of one session are serialised).</summary>
    /// <param name="waitSemaphore">A binary VkSemaphore the host signals when its inputs are written, or 0.</param>
    /// <param name="signalSemaphore">A VkSemaphore the run signals when the outputs are written, or 0.</param>
    public RunResult Run(IoBinding binding, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        lock (_runLock)
        {
            var plan = StartBindingRunLocked(binding, waitSemaphore, signalSemaphore);
            using (PhaseLog.Measure("run: wait for the device"))
                _device.WaitAndReset(plan.Fence);
            FinishBindingRun(binding);
            return binding.Result;
        }
    }

    /// <summary>Submits a run on <paramref name="binding"/>'s sources and sinks without waiting; the host's next queue work
    /// may wait on <paramref name="signalSemaphore"/> instead of the CPU waiting. <see cref="PendingRun.Result"/> waits and
    /// fills the host-float outputs. Every batch size works, sub-batched ones as one submission of several command
    /// buffers. Thread-safe.</summary>
    public PendingRun Submit(IoBinding binding, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        lock (_runLock)
        {
            var plan = StartBindingRunLocked(binding, waitSemaphore, signalSemaphore);
            return _pending = new PendingRun(this, _generation, plan.Fence, binding);
        }
    }

    private BindingPlan StartBindingRunLocked(IoBinding binding, ulong waitSemaphore, ulong signalSemaphore)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (binding.Session != this)
            throw new ArgumentException($"the IoBinding belongs to another session ('{binding.Session.Graph.Name}'), not '{Graph.Name}'", nameof(binding));
        BeginRunLocked();
        var plan = binding.Prepare();
        binding.Result.StartRun();
        plan.WriteSources();
        binding.Result.Submitted();
        plan.Submit(waitSemaphore, signalSemaphore);
        return plan;
    }

    /// <summary>After a binding's run completed (fence waited): its host-float outputs and stage times.</summary>
    private static void FinishBindingRun(IoBinding binding)
    {
        binding.Result.Completed();
        binding.Plan!.ReadSinks(binding.Result);
        binding.Result.Read();
    }

    /// <summary>The activation arena, where a binding's copies read and write.</summary>
    internal GpuBuffer ArenaBuffer => _arena;

    /// <summary>The packed weights, one buffer per page (gmn export-hlsl writes them out).</summary>
    internal IReadOnlyList<GpuBuffer> WeightPages => _weights;

    /// <summary>Byte offset of <paramref name="value"/> in the arena.</summary>
    internal ulong ArenaOffsetOf(Value value) => (ulong)Memory.OffsetOf(value) * (ulong)ActivationBytes;

    /// <summary>Copies <paramref name="value"/> (batch x its shape) out of the arena, through a staging copy where it is not
    /// mapped. Only for a batch run in one submission: sub-batches reuse the arena.</summary>
    internal void ReadFromDevice(Value value, Span<float> target)
    {
        if (SubBatch < Batch)
            throw new InvalidOperationException($"'{Graph.Name}' runs batch {Batch} as sub-batches of {SubBatch}, each reusing the device memory: " +
                $"bind output '{value.Name}' to host floats or a host buffer to keep every sample");
        int count = Batch * value.Shape.Elements;
        if (target.Length != count)
            throw new ArgumentException($"output '{value.Name}' has {count} values; the target holds {target.Length}");
        lock (_runLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_arena.IsHostVisible)
            {
                CopyOut(_arena, ArenaOffsetOf(value), target);
                return;
            }
            var raw = new byte[count * ActivationBytes];
            _arena.Download<byte>(ArenaOffsetOf(value), raw);
            if (ActivationBytes == 4) System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).CopyTo(target);
            else
            {
                var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(raw);
                for (int i = 0; i < count; i++) target[i] = (float)halves[i];
            }
        }
    }

    /// <summary>A binding's Dispose: waits for its run in flight, frees what it recorded.</summary>
    internal void Release(IoBinding binding)
    {
        lock (_runLock)
        {
            if (binding.Disposed) return;
            if (_pending is not null && binding.Plan is { } plan && _pending.Fence.Handle == plan.Fence.Handle)
                CompletePendingLocked();
            binding.ReleasePlan();
            binding.MarkDisposed();
            _ioBindings.Remove(binding);
        }
    }

    /// <summary>The session's Dispose (after its run in flight completed): frees what every binding recorded.</summary>
    private void ReleaseIoBindings()
    {
        foreach (var b in _ioBindings)
        {
            b.ReleasePlan();
            b.MarkDisposed();
        }
        _ioBindings.Clear();
    }
}
