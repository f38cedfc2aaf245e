using GpuMobileNet.Bench;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>Runs every part of a benchmark in one process, on one device, with one seeded input per batch size,
/// showing progress as it goes: device peak, per-layer profile, latency per batch (with ONNX Runtime beside
/// ours on the same input), then the variants.</summary>
internal sealed class BenchRunner(BenchSettings settings)
{
    public BenchReport Run()
    {
        var graph = settings.Source.Load();
        using var device = CliDevice.Open(settings.Device);
        // Progress bars only where someone watches: redirected output (scripts, tests) would get a line per
        // task per refresh from Spectre's fallback renderer, which buries the tables.
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return Measure((_, _) => () => { }, graph, device);
        BenchReport? report = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx => report = Measure((name, steps) =>
            {
                var task = ctx.AddTask(name, maxValue: steps);
                return () => task.Increment(1);
            }, graph, device));
        return report!;
    }

    /// <param name="addTask">Announces a task of so many steps; returns what to call after each step.</param>
    private BenchReport Measure(Func<string, int, Action> addTask, ModelGraph graph, VulkanDevice device)
    {
        // Every task is listed before any runs, so the whole plan is on screen from the start.
        var peakTask = addTask("device peak (FMA kernel)", 1);
        var layerTask = settings.Layers ? addTask($"per-layer profile, batch {settings.Batch}", settings.RunsAt(settings.Batch)) : null;
        var batchTasks = settings.Batches.Select(b => (Batch: b,
            Ours: addTask($"latency, batch {b}", settings.RunsAt(b)),
            Ort: settings.Ort ? addTask($"ONNX Runtime, batch {b}", settings.RunsAt(b)) : null)).ToList();
        var variantTasks = settings.Variants
            ? settings.ChosenVariants.Select(v => (Variant: v, Task: addTask($"variant: {v.Name}", settings.RunsAt(settings.Batch)))).ToList()
            : [];

        double peak = DevicePeak.MeasureGflops(device, runs: 5);
        peakTask();

        LayerProfile? layers = null;
        if (layerTask is not null)
        {
            using var session = InferenceSession.Create(graph, device, settings.SessionAt(settings.Batch) with { Profiling = true });
            var input = Input(graph, settings.Batch);
            for (int i = 0; i < settings.WarmupAt(settings.Batch); i++) session.Run(input);
            layers = LayerProfiler.Measure(session, input, settings.RunsAt(settings.Batch), peak, layerTask);
        }

        var latencies = new List<BatchLatency>();
        var ort = settings.Ort ? new List<OrtBatch>() : null;
        foreach (var (batch, oursTask, ortTask) in batchTasks)
        {
            var input = Input(graph, batch);
            float[] ours;
            using (var session = InferenceSession.Create(graph, device, settings.SessionAt(batch)))
            {
                var (latency, output) = Timing.Time(session, input, settings.WarmupAt(batch), settings.RunsAt(batch), oursTask);
                latencies.Add(latency);
                ours = output;
            }
            if (ortTask is not null)
                ort!.Add(RunOrt(graph, batch, input, ours, latencies[^1], ortTask));
        }

        var variants = settings.Variants ? new List<VariantResult>() : null;
        if (variantTasks.Count > 0)
        {
            var input = Input(graph, settings.Batch);
            var reference = ReferenceExecutor.Run(graph, input, settings.Batch);
            foreach (var (variant, task) in variantTasks)
            {
                using var session = InferenceSession.Create(graph, device, variant.Options with { Batch = settings.Batch, Profiling = false });
                var (latency, output) = Timing.Time(session, input, settings.WarmupAt(settings.Batch), settings.RunsAt(settings.Batch), task);
                double speedup = variants!.Count == 0 ? 1 : variants[0].Latency.MedianMs / latency.MedianMs;
                variants.Add(new VariantResult(variant.Name, latency, speedup, SeededInput.MaxAbsDiff(output, reference)));
            }
        }

        var s = graph.Input.Shape;
        return new BenchReport(device.ToString(), settings.Source.Describe(), $"{s.C}x{s.H}x{s.W}", GraphStats.Compute(graph).MultiplyAdds,
            settings.Threads, peak, layers, latencies, variants, ort);
    }

    private OrtBatch RunOrt(ModelGraph graph, int batch, float[] input, float[] ours, BatchLatency oursLatency, Action step)
    {
        var s = graph.Input.Shape;
        // An ONNX model runs in ORT as given (its own ops, not our export of them); its first output is compared.
        var model = settings.Source.OnnxPath is { } path ? File.ReadAllBytes(path) : OnnxExporter.ToBytes(graph, batch);
        using var baseline = new OrtBaseline(model, settings.Threads);
        double diff = SeededInput.MaxAbsDiff(baseline.Run(input, batch, s.C, s.H, s.W), ours);
        var times = baseline.Time(input, batch, s.C, s.H, s.W, settings.WarmupAt(batch), settings.RunsAt(batch));
        for (int i = 0; i < settings.RunsAt(batch); i++) step();
        var latency = BatchLatency.From(batch, times);
        return new OrtBatch(batch, settings.Threads, latency, oursLatency.MedianMs / latency.MedianMs, diff);
    }

    private float[] Input(ModelGraph graph, int batch) => SeededInput.Uniform(settings.Seed, batch * graph.Input.Shape.Elements);
}
