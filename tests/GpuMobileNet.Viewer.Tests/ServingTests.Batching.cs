using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

// Dynamic batching, the queue bound and timeouts over REST, seen in the statistics extension and in /metrics.
public partial class ServingTests
{
    [Test]
    public async Task ConcurrentRequestsAreGatheredIntoOneRunEachWithItsOwnResultAndAreCounted()
    {
        const string model = "mobilenet_v1_0.25_128";
        await LoadAsync(model, """{"max_batch_size": 8, "dynamic_batching": {"max_queue_delay_microseconds": 1000000}}""");
        var graph = _server.State.Catalog.Import(model).Graph;
        var inputs = Enumerable.Range(0, 4).Select(k => Enumerable.Range(0, graph.Input.Shape.Elements).Select(i => (float)Math.Sin(i * 0.01 + k)).ToArray()).ToArray();
        var answers = await Task.WhenAll(inputs.Select(input => PostAsync(ModelUrl(model) + "/infer", Request(graph.Input.Name, [1, 3, 128, 128], input))));
        for (int k = 0; k < inputs.Length; k++)
        {
            Assert.That(answers[k].Status, Is.EqualTo(HttpStatusCode.OK), answers[k].Body.ToJsonString());
            Assert.That(answers[k].Body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(ReferenceExecutor.Run(graph, inputs[k])).Within(1e-4), $"request {k}");
        }

        var stats = (await GetAsync(ModelUrl(model) + "/stats")).Body["model_stats"]![0]!;
        Assert.That(((string?)stats["name"], (string?)stats["version"], (long)stats["inference_count"]!), Is.EqualTo((model, "1", 4L)));
        long executions = (long)stats["execution_count"]!;
        Assert.That(executions, Is.LessThan(4), "the four requests were batched");
        var batches = stats["batch_stats"]!.AsArray();
        Assert.That(batches.Max(b => (int)b!["batch_size"]!), Is.GreaterThan(1));
        Assert.That(batches.Sum(b => (long)b!["compute_infer"]!["count"]!), Is.EqualTo(executions));
        var inference = stats["inference_stats"]!;
        Assert.That(new[] { "success", "queue" }.Select(k => (long)inference[k]!["count"]!), Is.EqualTo(new[] { 4L, 4L }));
        Assert.That((long)inference["compute_infer"]!["count"]!, Is.EqualTo(executions));
        Assert.That((long)inference["compute_infer"]!["ns"]!, Is.GreaterThan(0));

        var metrics = await MetricsAsync();
        string labels = $"model=\"{model}\",version=\"1\"";
        Assert.That(metrics[("gmn_inference_request_success_total", labels)], Is.EqualTo(4));
        Assert.That(metrics[("gmn_inference_count_total", labels)], Is.EqualTo(4));
        Assert.That(metrics[("gmn_inference_exec_count_total", labels)], Is.EqualTo(executions));
        Assert.That(metrics[("gmn_inference_batch_size_count", labels)], Is.EqualTo(executions));
        Assert.That(metrics[("gmn_inference_batch_size_sum", labels)], Is.EqualTo(4));
        Assert.That(metrics[("gmn_inference_request_duration_seconds_count", labels)], Is.EqualTo(4));
        Assert.That(metrics[("gmn_inference_queue_duration_seconds_count", labels)], Is.EqualTo(4));
        Assert.That(metrics[("gmn_inference_compute_duration_seconds_bucket", labels + ",le=\"+Inf\"")], Is.EqualTo(executions));
        var buckets = metrics.Where(s => s.Key.Name == "gmn_inference_batch_size_bucket" && s.Key.Labels.StartsWith(labels + ",", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.That(buckets, Is.Ordered.And.Count.EqualTo(10), "cumulative buckets 1, 2, 4 ... 256, +Inf");
        Assert.That(buckets[0], Is.LessThan(executions).Or.EqualTo(0), "a run of more than one sample is above the first bucket");
        Assert.That(metrics[("gmn_device_memory_bytes", "")], Is.GreaterThan(0), "the loaded model's buffers");
        Assert.That(metrics[("gmn_process_resident_memory_bytes", "")], Is.GreaterThan(0));
        double Phase(string name, string phase) => metrics.GetValueOrDefault(($"gmn_inference_phase_{name}_total", $"{labels},phase=\"{phase}\""));
        string[] perRequest = ["decode", "queue", "encode", "serialise"], perRun = ["input", "infer", "output"];
        Assert.That(perRequest.Select(p => Phase("count", p)), Is.All.EqualTo(4), "each request timed once in each of its phases");
        Assert.That(new[] { "receive", "parse" }.Select(p => Phase("count", p)), Is.All.GreaterThanOrEqualTo(4), "also other tests' refused requests");
        Assert.That(perRun.Select(p => Phase("count", p)), Is.All.EqualTo(executions), "each run timed once in each of its phases");
        Assert.That(Phase("count", "idle"), Is.EqualTo(executions - 1), "the wait between runs, from the second run on");
        Assert.That(Phase("seconds", "infer"), Is.EqualTo((long)inference["compute_infer"]!["ns"]! / 1e9).Within(1e-6), "the same device time as the statistics");
    }

    [Test]
    public async Task AFullQueueAnswers429AndTheOthersAreServed()
    {
        const string model = "mobilenet_v2_1.0_224";
        await LoadAsync(model, """{"max_batch_size": 1, "dynamic_batching": {"default_queue_policy": {"max_queue_size": 1}}}""");
        var before = await MetricsAsync();
        string labels = $"model=\"{model}\",version=\"1\",reason=\"queuefull\"";
        var input = new float[3 * 224 * 224];
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PostContentAsync(ModelUrl(model) + "/infer", KServeRequest.Binary("input", "FP32", [1, 3, 224, 224], KServeRequest.Bytes(input)))));
        var refused = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty, "16 requests at once against a queue of 1");
        Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Select(a => (string?)a.Body["error"]), Is.All.Contain("queue is full (1 requests waiting)"));
        var after = await MetricsAsync();
        Assert.That(after[("gmn_inference_request_failure_total", labels)] - before.GetValueOrDefault(("gmn_inference_request_failure_total", labels)), Is.EqualTo(refused.Count));
    }

    [Test]
    public async Task ARequestTimeoutAnswers503AndIsCounted()
    {
        const string model = "mobilenet_v2_1.0_224";
        await LoadAsync(model, """{"max_batch_size": 2, "dynamic_batching": {"max_queue_delay_microseconds": 3000000}}""");
        var request = Request("input", [1, 3, 224, 224], new float[3 * 224 * 224]);
        request["parameters"] = new JsonObject { ["timeout"] = 100_000 }; // microseconds, as Triton's
        var (status, body) = await PostAsync(ModelUrl(model) + "/infer", request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body.ToJsonString());
        Assert.That((string?)body["error"], Does.Contain("timed out after 100 ms waiting in the queue"));
        var metrics = await MetricsAsync();
        Assert.That(metrics[("gmn_inference_request_failure_total", $"model=\"{model}\",version=\"1\",reason=\"timeout\"")], Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task UnloadWhileRequestsAreInFlightAnswersThemAndRefusesNewOnes()
    {
        // Three requests held (one in the run the test holds, two queued behind it, batch 1), then an unload: a request
        // that comes while it waits is 503; once the run goes on, the three are answered and the model is unloaded.
        const string model = "user/ncnn/tiny.param";
        var graph = Import.ModelImporter.Load(Path.Combine(_dir, "ncnn", "tiny.param"));
        var inputs = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, graph.Input.Shape.Elements).Select(i => (float)Math.Cos(i * 0.2 + k)).ToArray()).ToArray();
        await LoadAsync(model, """{"max_batch_size": 1}""");
        var gate = _server.State.Repository.RunGate;
        await gate.WaitAsync();
        Task<(HttpStatusCode Status, JsonNode Body)>[] inFlight;
        Task<(HttpStatusCode Status, JsonNode Body)> unload;
        try
        {
            inFlight = inputs.Select(input => PostAsync(ModelUrl(model) + "/infer", Request(graph.Input.Name, [1, 3, 6, 8], input))).ToArray();
            await UntilAsync(async () => (await MetricsAsync()).GetValueOrDefault(("gmn_inference_queue_length", $"model=\"{model}\",version=\"1\"")) == 2);
            unload = PostAsync($"v2/repository/models/{Uri.EscapeDataString(model)}/unload", new JsonObject());
            await UntilAsync(() => Task.FromResult(_server.State.Repository.StateOf(model) == Serving.ModelState.Unloading));
            var (status, body) = await PostAsync(ModelUrl(model) + "/infer", Request(graph.Input.Name, [1, 3, 6, 8], inputs[0]));
            Assert.That((status, (string?)body["error"]), Is.EqualTo((HttpStatusCode.ServiceUnavailable, (string?)$"model '{model}' is unloading")));
        }
        finally
        {
            gate.Release();
        }
        var answers = await Task.WhenAll(inFlight);
        for (int k = 0; k < inputs.Length; k++)
        {
            Assert.That(answers[k].Status, Is.EqualTo(HttpStatusCode.OK), answers[k].Body.ToJsonString());
            Assert.That(answers[k].Body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(ReferenceExecutor.Run(graph, inputs[k])).Within(1e-4), $"request {k}");
        }
        Assert.That((await unload).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_server.State.Repository.StateOf(model), Is.EqualTo(Serving.ModelState.Unavailable));
        await LoadAsync(model, "{}"); // the server's defaults again, for the other tests
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (a minute at most: a hang guard, not a timing).</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var end = DateTime.UtcNow.AddMinutes(1); !await condition(); await Task.Delay(20))
            Assert.That(DateTime.UtcNow, Is.LessThan(end), "the condition never held");
    }

    private async Task LoadAsync(string model, string config)
    {
        var (status, body) = await PostAsync($"v2/repository/models/{Uri.EscapeDataString(model)}/load", new JsonObject { ["parameters"] = new JsonObject { ["config"] = config } });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
    }

    /// <summary>/metrics parsed as Prometheus's text format: every line a comment (HELP, TYPE) or "name{labels} value";
    /// each family's TYPE once, before its samples; returns the samples by (name, labels).</summary>
    private async Task<Dictionary<(string Name, string Labels), double>> MetricsAsync()
    {
        var r = await _http.GetAsync("metrics");
        Assert.That(r.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        var sample = new Regex(@"^([a-z_]+)(?:\{([^}]*)\})? (\S+)$"); // a whole-server gauge has no labels
        var samples = new Dictionary<(string, string), double>();
        var typed = new HashSet<string>();
        foreach (var line in (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.That(typed.Add(line.Split(' ')[2]), Is.True, $"TYPE given twice: {line}");
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            var m = sample.Match(line);
            Assert.That(m.Success, Is.True, $"not a Prometheus sample: {line}");
            string family = Regex.Replace(m.Groups[1].Value, "_(bucket|sum|count)$", "");
            Assert.That(typed.Contains(family) || typed.Contains(m.Groups[1].Value), Is.True, $"sample before its TYPE: {line}");
            samples[(m.Groups[1].Value, m.Groups[2].Value)] = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }
}
