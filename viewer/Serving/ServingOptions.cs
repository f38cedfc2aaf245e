using System.Text.Json;
using System.Text.Json.Nodes;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>How one model is served, as Triton's model configuration says it (and in its names): the largest batch a
/// request may carry and the dynamic batcher may gather, how long the batcher waits for more requests, how many
/// requests may wait (one more is refused: 429), how many device sessions run side by side, how long a request may
/// take. A server-wide default comes from the command line; a load request may override it per model.</summary>
public sealed record ServingOptions
{
    /// <summary>Most samples in one device run, and in one request. 4 by default: on lavapipe MobileNetV2 runs at 25-26
    /// images/s at batch 1, 2 and 4 but 12 at batch 8 (gmn bench, scripts/serve-bench), so larger batches cost there; a
    /// GPU may want more (--max-batch, or a load request's config).</summary>
    public int MaxBatchSize { get; init; } = 4;

    /// <summary>Gather concurrent requests into one run (Triton's dynamic batcher); off: each request runs alone.</summary>
    public bool DynamicBatching { get; init; } = true;

    /// <summary>How long the batcher holds a batch that is not full, waiting for more requests (0: it takes what is
    /// queued when a session is free and never waits).</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Requests waiting for a session, at most; beyond it a request is refused at once.</summary>
    public int MaxQueueSize { get; init; } = 64;

    /// <summary>Host bytes the waiting requests' inputs may hold together, at most; a request that would pass it is
    /// refused at once, as for a full queue (64 queued 16 MiB bodies would otherwise hold 1 GiB).</summary>
    public long MaxQueueBytes { get; init; } = 256L << 20;

    /// <summary>Device sessions per model (Triton's instance_group count): runs in flight for one model.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>How long a request may wait for its answer, unless it sets its own "timeout" parameter.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Refuses values out of range, naming the option.</summary>
    public ServingOptions Validated()
    {
        Check(MaxBatchSize is >= 1 and <= 256, $"max_batch_size {MaxBatchSize}: expected 1..256");
        Check(MaxQueueDelay >= TimeSpan.Zero && MaxQueueDelay <= TimeSpan.FromSeconds(10), $"max_queue_delay {MaxQueueDelay.TotalMilliseconds} ms: expected 0..10000 ms");
        Check(MaxQueueSize is >= 1 and <= 100_000, $"max_queue_size {MaxQueueSize}: expected 1..100000");
        Check(MaxQueueBytes is >= 1 and <= 1L << 40, $"max queue bytes {MaxQueueBytes}: expected 1..2^40");
        Check(Instances is >= 1 and <= 16, $"instance count {Instances}: expected 1..16");
        Check(RequestTimeout > TimeSpan.Zero && RequestTimeout <= TimeSpan.FromHours(1), $"request timeout {RequestTimeout.TotalMilliseconds} ms: expected up to one hour");
        return this;
    }

    /// <summary>These options overridden by a Triton-style model configuration in JSON, as the model repository
    /// extension's load request carries it ("parameters": {"config": "..."}): max_batch_size,
    /// dynamic_batching {max_queue_delay_microseconds, default_queue_policy {max_queue_size}} (its absence turns dynamic
    /// batching off, as in Triton), instance_group [{count}].</summary>
    public ServingOptions WithConfig(string json)
    {
        JsonObject config;
        try { config = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new ServingException(ServingError.BadRequest, $"model config is not valid JSON: {e.Message}"); }
        try
        {
            var options = this;
            if (config["max_batch_size"] is { } max) options = options with { MaxBatchSize = (int)max };
            if (config["instance_group"] is JsonArray { Count: > 0 } groups) options = options with { Instances = groups.Sum(g => (int?)g?["count"] ?? 1) };
            if (config["dynamic_batching"] is not JsonObject batching) return (options with { DynamicBatching = false }).Validated();
            options = options with { DynamicBatching = true };
            if (batching["max_queue_delay_microseconds"] is { } delay) options = options with { MaxQueueDelay = TimeSpan.FromMicroseconds((long)delay) };
            if (batching["default_queue_policy"]?["max_queue_size"] is { } size) options = options with { MaxQueueSize = (int)size };
            return options.Validated();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new ServingException(ServingError.BadRequest, $"model config: a number was expected ({e.Message})");
        }
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ServingException(ServingError.BadRequest, message);
    }
}
