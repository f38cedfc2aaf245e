using System.Diagnostics;
using System.Threading.Channels;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>Triton's dynamic batcher for one model: requests wait in a bounded queue (one more than
/// <see cref="ServingOptions.MaxQueueSize"/>, or one whose inputs would take the queued bytes past
/// <see cref="ServingOptions.MaxQueueBytes"/>, is refused at once, <see cref="ServingError.QueueFull"/>); one worker per
/// instance takes the oldest request, adds queued requests of the same kind (tensors or frames) while the batch holds
/// at most <see cref="ServingOptions.MaxBatchSize"/> samples, waiting up to <see cref="ServingOptions.MaxQueueDelay"/>
/// after the first arrived for more, and runs them as one device run. A request that times out or is cancelled while
/// waiting is dropped before its run. Memory is bounded: the queue, plus per worker one batch and at most a batch's
/// worth of requests set aside for the next one.</summary>
internal sealed class DynamicBatcher
{
    private readonly ServingOptions _options;
    private readonly Func<int, IReadOnlyList<BatchInput>, BatchRun> _run;
    private readonly ModelMetrics _metrics;
    private readonly Channel<Pending> _queue;
    private readonly Task[] _workers;
    private volatile bool _stopping;
    private long _queuedBytes; // inputs of the requests waiting (queued or set aside), released when taken or abandoned

    /// <param name="run">Runs a batch on an instance (0 .. Instances - 1); called from one worker per instance.</param>
    public DynamicBatcher(ServingOptions options, Func<int, IReadOnlyList<BatchInput>, BatchRun> run, ModelMetrics metrics)
    {
        _options = options;
        _run = run;
        _metrics = metrics;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.MaxQueueSize) { FullMode = BoundedChannelFullMode.Wait });
        _workers = Enumerable.Range(0, options.Instances).Select(i => Task.Run(() => WorkAsync(i))).ToArray();
    }

    /// <summary>Requests waiting in the queue now.</summary>
    public int QueueLength => _queue.Reader.Count;

    /// <summary>True when one more request would be refused now (its size unknown yet: the bytes are at the limit).</summary>
    public bool IsFull => _queue.Reader.Count >= _options.MaxQueueSize || QueuedBytes >= _options.MaxQueueBytes;

    /// <summary>Host bytes the waiting requests' inputs hold now.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public ServingException QueueFull() => new(ServingError.QueueFull, _queue.Reader.Count >= _options.MaxQueueSize
        ? $"the model's queue is full ({_options.MaxQueueSize} requests waiting): retry later"
        : $"the model's queue is full ({QueuedBytes} bytes of inputs waiting, at most {_options.MaxQueueBytes}): retry later");

    /// <summary>Queues <paramref name="input"/> and waits for its outputs (per graph output, its samples back to back).</summary>
    public async Task<float[][]> SubmitAsync(BatchInput input, TimeSpan timeout, CancellationToken cancel)
    {
        if (_stopping) throw new ServingException(ServingError.Unavailable, "the model is unloading");
        var pending = new Pending(input, bytes => Interlocked.Add(ref _queuedBytes, -bytes));
        long total = Interlocked.Add(ref _queuedBytes, pending.Bytes);
        if (total > _options.MaxQueueBytes && total > pending.Bytes) // one request alone always fits: the upload limit bounds it
        {
            long held = Interlocked.Add(ref _queuedBytes, -pending.Bytes);
            throw new ServingException(ServingError.QueueFull,
                $"the model's queue is full ({held} bytes of inputs waiting; this request's {pending.Bytes} would pass the {_options.MaxQueueBytes}-byte limit): retry later");
        }
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.TryAbandon(); // gives its bytes back
            throw _stopping ? new ServingException(ServingError.Unavailable, "the model is unloading") : QueueFull();
        }
        try
        {
            return await pending.Done.Task.WaitAsync(timeout, cancel);
        }
        catch (TimeoutException)
        {
            bool queued = pending.TryAbandon();
            throw new ServingException(ServingError.Timeout,
                $"request timed out after {timeout.TotalMilliseconds:0.###} ms {(queued ? "waiting in the queue" : "while running")}");
        }
        catch (OperationCanceledException)
        {
            pending.TryAbandon();
            throw;
        }
    }

    /// <summary>Refuses new requests, runs the queued ones, and returns when every worker has finished.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
    }

    private async Task WorkAsync(int instance)
    {
        var setAside = new List<Pending>(); // taken from the queue but of another kind, or too big for the last batch
        long lastRunEnd = 0;
        while ((FirstLive(setAside) ?? await ReadLiveAsync()) is { } first)
        {
            var batch = _options.DynamicBatching ? await GatherAsync(first, setAside) : [first];
            var live = batch.Where(p => p.TryTake()).ToList();
            if (live.Count == 0) continue;
            if (lastRunEnd != 0) _metrics.RecordPhase(ServingPhase.Idle, Stopwatch.GetElapsedTime(lastRunEnd));
            Run(instance, live);
            lastRunEnd = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>The first request plus what fits from the set-aside and the queue, waiting until the first's deadline.</summary>
    private async Task<List<Pending>> GatherAsync(Pending first, List<Pending> setAside)
    {
        var batch = new List<Pending> { first };
        int samples = first.Input.Samples, max = _options.MaxBatchSize;
        bool Fits(Pending p) => p.Input.IsFrames == first.Input.IsFrames && samples + p.Input.Samples <= max;
        foreach (var p in setAside.Where(p => p.IsQueued && Fits(p)).ToList())
        {
            setAside.Remove(p);
            batch.Add(p);
            samples += p.Input.Samples;
        }
        long deadline = first.Enqueued + (long)(_options.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
        while (samples < max && setAside.Count < max)
        {
            if (_queue.Reader.TryRead(out var next))
            {
                if (!next.IsQueued) continue;
                if (Fits(next))
                {
                    batch.Add(next);
                    samples += next.Input.Samples;
                }
                else setAside.Add(next);
                continue;
            }
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (wait <= TimeSpan.Zero) break;
            using var timer = new CancellationTokenSource(wait);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(timer.Token)) break;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return batch;
    }

    private void Run(int instance, List<Pending> batch)
    {
        foreach (var p in batch) _metrics.RecordQueue(Stopwatch.GetElapsedTime(p.Enqueued));
        try
        {
            var run = _run(instance, batch.Select(p => p.Input).ToList());
            _metrics.RecordExecution(batch.Sum(p => p.Input.Samples), run.InputMs, run.InferMs, run.OutputMs);
            for (int i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(run.Outputs[i]);
        }
        catch (Exception e)
        {
            var error = e as ServingException ?? new ServingException(ServingError.Internal, $"the run failed: {e.Message.ReplaceLineEndings(" ")}");
            foreach (var p in batch) p.Done.TrySetException(error);
        }
    }

    private static Pending? FirstLive(List<Pending> setAside)
    {
        setAside.RemoveAll(p => !p.IsQueued);
        if (setAside.Count == 0) return null;
        var first = setAside[0];
        setAside.RemoveAt(0);
        return first;
    }

    private async Task<Pending?> ReadLiveAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
            while (_queue.Reader.TryRead(out var p))
                if (p.IsQueued) return p;
        return null;
    }

    /// <summary>A queued request: queued until a worker takes it for a run or its client gives up (timeout, cancel);
    /// leaving the queue either way gives its input's bytes back (<paramref name="release"/>), once.</summary>
    private sealed class Pending(BatchInput input, Action<long> release)
    {
        private const int Queued = 0, Taken = 1, Abandoned = 2;
        private int _state;

        public BatchInput Input { get; } = input;
        public long Bytes { get; } = input.Bytes;
        public long Enqueued { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<float[][]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool IsQueued => Volatile.Read(ref _state) == Queued;
        public bool TryTake() => Leave(Taken);
        public bool TryAbandon() => Leave(Abandoned);

        private bool Leave(int state)
        {
            if (Interlocked.CompareExchange(ref _state, state, Queued) != Queued) return false;
            release(Bytes);
            return true;
        }
    }
}
