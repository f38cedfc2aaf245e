using System.CommandLine;
using GpuMobileNet.Viewer.Serving;

namespace GpuMobileNet.Viewer;

/// <summary>The inference API's serving options on the command line: Triton's per-model settings, applied to every
/// model unless a load request's config overrides them (<see cref="ServingOptions"/>).</summary>
internal sealed class ServingCommandLine
{
    private readonly Option<int> _maxBatch = new("--max-batch") { Description = "inference API: most samples per device run and per request (Triton's max_batch_size)", DefaultValueFactory = _ => 4 };
    private readonly Option<bool> _noBatching = new("--no-batching") { Description = "inference API: run each request alone instead of gathering concurrent ones (dynamic batching)" };
    private readonly Option<double> _queueDelay = new("--max-queue-delay-ms") { Description = "inference API: how long a batch that is not full waits for more requests", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _queueSize = new("--max-queue-size") { Description = "inference API: requests waiting per model; one more is refused with 429", DefaultValueFactory = _ => 64 };
    private readonly Option<double> _queueMiB = new("--max-queue-mib") { Description = "inference API: MiB the waiting requests' inputs may hold per model; one more is refused with 429", DefaultValueFactory = _ => 256 };
    private readonly Option<int> _instances = new("--instances") { Description = "inference API: device sessions per model running side by side", DefaultValueFactory = _ => 1 };
    private readonly Option<double> _timeout = new("--request-timeout-ms") { Description = "inference API: longest wait for an answer, unless a request sets its \"timeout\" parameter", DefaultValueFactory = _ => 60_000 };

    public IEnumerable<Option> Options => [_maxBatch, _noBatching, _queueDelay, _queueSize, _queueMiB, _instances, _timeout];

    /// <summary>The options given, range-checked (a bad value is an ArgumentException naming it: exit code 2).</summary>
    public ServingOptions Read(ParseResult r)
    {
        try
        {
            return new ServingOptions
            {
                MaxBatchSize = r.GetValue(_maxBatch), DynamicBatching = !r.GetValue(_noBatching), MaxQueueSize = r.GetValue(_queueSize),
                MaxQueueBytes = checked((long)(r.GetValue(_queueMiB) * (1 << 20))),
                MaxQueueDelay = TimeSpan.FromMilliseconds(r.GetValue(_queueDelay)), Instances = r.GetValue(_instances),
                RequestTimeout = TimeSpan.FromMilliseconds(r.GetValue(_timeout)),
            }.Validated();
        }
        catch (Exception e) when (e is ServingException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"serving options: {e.Message}");
        }
    }
}
