using System.Text.Json.Nodes;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>What one model has done since the server started: requests that succeeded and failed (by
/// <see cref="ServingError"/>), samples inferred, device runs and their batch sizes, and the time spent end to end, in
/// the queue and in each run's stages (Triton's statistics: compute_input, compute_infer, compute_output), as totals
/// and Prometheus histograms. Thread-safe.</summary>
public sealed class ModelMetrics(string model)
{
    private readonly object _lock = new();
    private readonly Dictionary<ServingError, long> _failures = [];
    private readonly SortedDictionary<int, Totals> _byBatch = [];
    private readonly Histogram _latency = new(Histogram.SecondsBounds), _queue = new(Histogram.SecondsBounds),
        _compute = new(Histogram.SecondsBounds), _batches = new(Histogram.BatchBounds);
    private readonly Totals[] _phases = new Totals[Enum.GetValues<ServingPhase>().Length];
    private Totals _success, _fail, _queued, _input, _infer, _output;
    private long _inferences, _lastInferenceMs;

    public string Model { get; } = model;

    /// <summary>Count and total nanoseconds of one statistic.</summary>
    private record struct Totals(long Count, long Ns)
    {
        public readonly Totals Add(double ms) => new(Count + 1, Ns + (long)(ms * 1e6));
        public readonly JsonObject ToJson() => new() { ["count"] = Count, ["ns"] = Ns };
    }

    /// <summary>A request answered (<paramref name="samples"/> samples) after <paramref name="elapsed"/>.</summary>
    public void RecordSuccess(int samples, TimeSpan elapsed)
    {
        lock (_lock)
        {
            _success = _success.Add(elapsed.TotalMilliseconds);
            _inferences += samples;
            _lastInferenceMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _latency.Observe(elapsed.TotalSeconds);
        }
    }

    /// <summary>A request refused or failed with <paramref name="error"/> after <paramref name="elapsed"/>.</summary>
    public void RecordFailure(ServingError error, TimeSpan elapsed)
    {
        lock (_lock)
        {
            _fail = _fail.Add(elapsed.TotalMilliseconds);
            _failures[error] = _failures.GetValueOrDefault(error) + 1;
        }
    }

    /// <summary>A request's wait from its arrival in the queue to the start of its run.</summary>
    public void RecordQueue(TimeSpan waited)
    {
        lock (_lock)
        {
            _queued = _queued.Add(waited.TotalMilliseconds);
            _queue.Observe(waited.TotalSeconds);
            Add(ServingPhase.Queue, waited.TotalMilliseconds);
        }
    }

    /// <summary>One device run of <paramref name="batchSize"/> samples and its stages' host milliseconds.</summary>
    public void RecordExecution(int batchSize, double inputMs, double inferMs, double outputMs)
    {
        lock (_lock)
        {
            (_input, _infer, _output) = (_input.Add(inputMs), _infer.Add(inferMs), _output.Add(outputMs));
            _compute.Observe((inputMs + inferMs + outputMs) / 1000);
            _batches.Observe(batchSize);
            _byBatch[batchSize] = _byBatch.GetValueOrDefault(batchSize).Add(inferMs);
            Add(ServingPhase.Input, inputMs);
            Add(ServingPhase.Infer, inferMs);
            Add(ServingPhase.Output, outputMs);
        }
    }

    /// <summary>Time one request (or, for the device's phases, one run) spent in <paramref name="phase"/>.</summary>
    public void RecordPhase(ServingPhase phase, TimeSpan elapsed)
    {
        lock (_lock) Add(phase, elapsed.TotalMilliseconds);
    }

    private void Add(ServingPhase phase, double ms) => _phases[(int)phase] = _phases[(int)phase].Add(ms);

    /// <summary>Device runs so far.</summary>
    public long Executions { get { lock (_lock) return _infer.Count; } }

    /// <summary>The statistics extension's $model_stat object (Triton's shape).</summary>
    public JsonObject ToStatistics(string version)
    {
        lock (_lock)
        {
            // Per batch size we keep the device wait only; the other stages are the model's totals above.
            var batches = _byBatch.Select(b => (JsonNode)new JsonObject
            {
                ["batch_size"] = b.Key, ["compute_input"] = new Totals(b.Value.Count, 0).ToJson(),
                ["compute_infer"] = b.Value.ToJson(), ["compute_output"] = new Totals(b.Value.Count, 0).ToJson(),
            }).ToArray();
            return new JsonObject
            {
                ["name"] = Model, ["version"] = version, ["last_inference"] = _lastInferenceMs,
                ["inference_count"] = _inferences, ["execution_count"] = _infer.Count,
                ["inference_stats"] = new JsonObject
                {
                    ["success"] = _success.ToJson(), ["fail"] = _fail.ToJson(), ["queue"] = _queued.ToJson(),
                    ["compute_input"] = _input.ToJson(), ["compute_infer"] = _infer.ToJson(), ["compute_output"] = _output.ToJson(),
                    ["cache_hit"] = new Totals().ToJson(), ["cache_miss"] = new Totals().ToJson(),
                },
                ["batch_stats"] = new JsonArray(batches),
            };
        }
    }

    /// <summary>Appends this model's Prometheus samples; <paramref name="labels"/> identify it (model="…",version="…").</summary>
    internal void WritePrometheus(PrometheusText text, string labels)
    {
        lock (_lock)
        {
            text.Sample("gmn_inference_request_success_total", labels, _success.Count);
            foreach (var (error, count) in _failures)
                text.Sample("gmn_inference_request_failure_total", $"{labels},reason=\"{error.ToString().ToLowerInvariant()}\"", count);
            text.Sample("gmn_inference_count_total", labels, _inferences);
            text.Sample("gmn_inference_exec_count_total", labels, _infer.Count);
            text.Histogram("gmn_inference_request_duration_seconds", labels, _latency);
            text.Histogram("gmn_inference_queue_duration_seconds", labels, _queue);
            text.Histogram("gmn_inference_compute_duration_seconds", labels, _compute);
            text.Histogram("gmn_inference_batch_size", labels, _batches);
            foreach (var phase in Enum.GetValues<ServingPhase>().Where(p => _phases[(int)p].Count > 0))
            {
                string phaseLabels = $"{labels},phase=\"{phase.ToString().ToLowerInvariant()}\"";
                text.Sample("gmn_inference_phase_seconds_total", phaseLabels, _phases[(int)phase].Ns / 1e9);
                text.Sample("gmn_inference_phase_count_total", phaseLabels, _phases[(int)phase].Count);
            }
        }
    }
}

/// <summary>Where a request's time goes inside the server, in order: <see cref="Receive"/> its body (REST),
/// <see cref="Parse"/> the protocol's message into tensors, <see cref="Decode"/> them into a batch input (checks, host
/// copies), <see cref="Queue"/> for a device run; per run, <see cref="Input"/> (writing inputs), <see cref="Infer"/>
/// (the device), <see cref="Output"/> (reading outputs) and <see cref="Idle"/> (the instance waiting for work since its
/// last run: every millisecond of it is lost to a closed loop of clients); then <see cref="Encode"/> the outputs as
/// the response's tensors and <see cref="Serialise"/> them as the protocol's bytes.</summary>
public enum ServingPhase { Receive, Parse, Decode, Queue, Input, Infer, Output, Idle, Encode, Serialise }
