using System.Globalization;
using System.Text;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>Prometheus's text exposition format (version 0.0.4): each family once, with its HELP and TYPE lines, then
/// its samples for every model (the format wants a family's samples together).</summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly Dictionary<string, (string Type, string Help)> Families = new()
    {
        ["gmn_inference_request_success_total"] = ("counter", "Inference requests answered, per model"),
        ["gmn_inference_request_failure_total"] = ("counter", "Inference requests refused or failed, per model and reason"),
        ["gmn_inference_count_total"] = ("counter", "Samples inferred (a request of batch n counts n)"),
        ["gmn_inference_exec_count_total"] = ("counter", "Device runs (one run may serve several batched requests)"),
        ["gmn_inference_request_duration_seconds"] = ("histogram", "Time from a request's arrival to its answer"),
        ["gmn_inference_queue_duration_seconds"] = ("histogram", "Time a request waited in the model's queue"),
        ["gmn_inference_compute_duration_seconds"] = ("histogram", "Time of one device run: writing inputs, the device, reading outputs"),
        ["gmn_inference_batch_size"] = ("histogram", "Samples per device run"),
        ["gmn_inference_phase_seconds_total"] = ("counter", "Seconds spent in each phase of serving (receive, parse, decode, queue, then per device run input, infer, output and the idle wait before it, then encode, serialise)"),
        ["gmn_inference_phase_count_total"] = ("counter", "Requests (or, for input, infer, output and idle, device runs) timed in each phase"),
        ["gmn_inference_queue_length"] = ("gauge", "Requests waiting in the model's queue now"),
        ["gmn_device_memory_bytes"] = ("gauge", "Device memory allocated by the server now (every model and session on its device)"),
        ["gmn_process_resident_memory_bytes"] = ("gauge", "The server process's resident host memory (RSS) now"),
    };

    private readonly Dictionary<string, StringBuilder> _samples = [];

    /// <summary>Label text for one model: model="…",version="…" (quotes, backslashes and newlines escaped).</summary>
    public static string Labels(string model, string version) => $"model=\"{Escape(model)}\",version=\"{Escape(version)}\"";

    public void Sample(string family, string labels, double value) =>
        For(family).Append(CultureInfo.InvariantCulture, $"{family}{{{labels}}} {value}\n");

    /// <summary>A sample of a family without labels (a whole-server gauge).</summary>
    public void Sample(string family, double value) => For(family).Append(CultureInfo.InvariantCulture, $"{family} {value}\n");

    public void Histogram(string family, string labels, Histogram histogram) => histogram.Write(For(family), family, labels);

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (family, (type, help)) in Families)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {family} {help}\n# TYPE {family} {type}\n");
            if (_samples.TryGetValue(family, out var samples)) text.Append(samples);
        }
        return text.ToString();
    }

    private StringBuilder For(string family)
    {
        if (!Families.ContainsKey(family)) throw new ArgumentException($"unknown metric family '{family}'");
        return _samples.TryGetValue(family, out var b) ? b : _samples[family] = new StringBuilder();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
