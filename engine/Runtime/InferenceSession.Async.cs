namespace GpuMobileNet.Runtime;

// Submitting without blocking: the caller (a game loop, a server) keeps working while the device runs, and can chain
// the run to its own queue work with semaphores.
public sealed partial class InferenceSession
{
    private PendingRun? _pending;
    private long _generation;

    private IoBinding? _spanBinding;
    private float[] _spanInput = [];
    private float[] _spanOutput = [];

    /// <summary>Copies <paramref name="input"/> in and submits, without waiting: a convenience form over the
    /// <see cref="IoBinding"/> the session keeps for the span forms (host floats in, the main output to host floats), so it works with every
    /// batch size, sub-batched sessions included. The session's own fence tracks it, so sessions on one device never wait
    /// for each other. One submission is in flight per session: a later <see cref="Submit(ReadOnlySpan{float}, ulong, ulong)"/>
    /// or <see cref="Run(ReadOnlySpan{float}, Span{float})"/> first waits for this one, and its output can then no longer be
    /// read. Thread-safe.</summary>
    /// <param name="waitSemaphore">A VkSemaphore (binary) the host signals before the run may start (e.g. after it wrote an
    /// input buffer), or 0.</param>
    /// <param name="signalSemaphore">A VkSemaphore the run signals when done (e.g. for the host's next queue work), or 0.</param>
    public PendingRun Submit(ReadOnlySpan<float> input, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        lock (_runLock)
            return Submit(SpanBinding("Submit", input), waitSemaphore, signalSemaphore);
    }

    /// <summary>The binding behind the span forms (created at the first call), with <paramref name="input"/> copied into
    /// its host floats (call with the run lock held).</summary>
    private IoBinding SpanBinding(string entryPoint, ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireSingleInput(entryPoint);
        if (input.Length != InputLength)
            throw new ArgumentException($"input has {input.Length} values; '{Graph.Name}' expects batch {Batch} x {InputShape} = {InputLength}");
        if (_spanBinding is null)
        {
            (_spanInput, _spanOutput) = (new float[InputLength], new float[OutputLength]);
            _spanBinding = CreateIoBinding().BindInput(Graph.Input.Name, _spanInput).BindOutput(Graph.Output.Name, _spanOutput);
        }
        // The run in flight may still read the copy: wait for it before overwriting.
        CompletePendingLocked();
        input.CopyTo(_spanInput);
        return _spanBinding;
    }

    /// <summary>Runs on the device without blocking the caller: submits now, waits for the session's fence on the thread
    /// pool, and returns the output.</summary>
    public Task<float[]> RunAsync(ReadOnlyMemory<float> input)
    {
        var pending = Submit(input.Span);
        return Task.Run(() =>
        {
            var output = new float[OutputLength];
            pending.GetOutput(output);
            return output;
        });
    }

    /// <summary>Every run's start, with the run lock held: refuses a disposed session, waits for a pending submission,
    /// and starts a new generation (a pending run's output can no longer be read once a later run began).</summary>
    private void BeginRunLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CompletePendingLocked();
        _generation++;
    }

    /// <summary>Waits for the submission in flight, if any (call with the run lock held).</summary>
    private void CompletePendingLocked()
    {
        if (_pending is null) return;
        _device.WaitAndReset(_pending.Fence);
        _pending.Completed = true;
        FinishBindingRun(_pending.Binding);
        _pending = null;
    }

    /// <summary>One submission of a session, from <see cref="Submit(ReadOnlySpan{float}, ulong, ulong)"/> or <see cref="Submit(IoBinding, ulong, ulong)"/>. Thread-safe.</summary>
    public sealed class PendingRun
    {
        private readonly InferenceSession _session;
        private readonly long _generation;

        internal PendingRun(InferenceSession session, long generation, Silk.NET.Vulkan.Fence fence, IoBinding binding) =>
            (_session, _generation, Fence, Binding) = (session, generation, fence, binding);

        /// <summary>The fence of the command buffers this run submitted (its IoBinding's).</summary>
        internal Silk.NET.Vulkan.Fence Fence { get; }

        /// <summary>The binding this run ran: its host-float outputs are filled when the run completes.</summary>
        internal IoBinding Binding { get; }

        /// <summary>Waits, then returns the binding's result (its host-float outputs filled).</summary>
        /// <exception cref="InvalidOperationException">A later run has overwritten it.</exception>
        public RunResult Result
        {
            get
            {
                Wait();
                lock (_session._runLock)
                    if (_session._generation != _generation)
                        throw new InvalidOperationException("a later run of this session has overwritten this run's result: read it before the next Run or Submit");
                return Binding.Result;
            }
        }

        internal bool Completed { get; set; }

        /// <summary>Whether the device has finished (does not block).</summary>
        public bool IsCompleted => Completed || _session._device.IsSignalled(Fence);

        /// <summary>Blocks until the device has finished this run.</summary>
        public void Wait()
        {
            lock (_session._runLock)
                if (_session._pending == this) _session.CompletePendingLocked();
        }

        /// <summary>Waits, then copies the output (batch × output shape values) to <paramref name="output"/>.</summary>
        /// <exception cref="InvalidOperationException">A later run of the session has overwritten it.</exception>
        public void GetOutput(Span<float> output)
        {
            if (output.Length != _session.OutputLength)
                throw new ArgumentException($"output span has {output.Length} values; the session produces {_session.OutputLength}");
            lock (_session._runLock)
            {
                ObjectDisposedException.ThrowIf(_session._disposed, _session);
                if (_session._pending == this) _session.CompletePendingLocked();
                if (_session._generation != _generation)
                    throw new InvalidOperationException("a later run of this session has overwritten this run's output: read it before the next Run or Submit");
                Binding.Result.CopyOutput(_session.Graph.Output.Name, output);
            }
        }
    }
}
