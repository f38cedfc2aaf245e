using System.Diagnostics;
using GpuMobileNet.Bench;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>`gmn bench --model ssd.tflite`: an SSD detector's latency per stage (backbone and heads on the device from
/// timestamp queries, decode and NMS on the host), the whole detection, and TensorFlow Lite's own CPU interpreter on
/// the same .tflite with the same thread count (its C library from npm tfjs-tflite-node).</summary>
internal static class DetectBench
{
    /// <summary>True for a .tflite whose outputs are an SSD's two heads for the objectron anchors.</summary>
    public static bool Applies(BenchSettings s) =>
        s.Source.TflitePath is { } m && IsSsd(m);

    private static bool IsSsd(string path)
    {
        var graph = Import.Tflite.TfliteImporter.Load(path);
        int anchors = SsdAnchors.Generate(SsdAnchorOptions.ObjectronSsdMobileNetV2).Length;
        return graph.Outputs.Count == 2 && graph.Outputs.All(o => o.Shape.C == anchors);
    }

    public static int Run(BenchSettings s)
    {
        string path = s.Source.Model!;
        var photo = ImageLoader.Load(ModelSource.FindInRepo("models/cache/photos/coffee.png"));
        using var device = CliDevice.Open(s.Device);
        // Two sessions: the profiled one times each dispatch (on lavapipe every timestamp costs a flush), the plain one
        // times whole detections as the viewer and `gmn detect` run them.
        using var detector = SsdDetector.Load(path, device, options: new SessionOptions { Profiling = true });
        using var plain = SsdDetector.Load(path, device);
        var input = detector.Preprocess(photo);
        var main = new float[detector.Session.OutputLength];
        // Both sessions warm up, for the runs asked and at least a second: llvmpipe compiles each pipeline's code on its
        // first dispatch, and the runtime recompiles the start-up code (import, planning) on a background thread for a
        // while after start, competing for the cores; neither belongs in the measured runs.
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < s.Warmup || (s.Warmup > 0 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1); i++)
        {
            detector.Session.Run(input, main);
            plain.Detect(photo);
        }

        var stages = new StageSamples();
        var perLayer = new Dictionary<string, List<double>>();
        var cheapest = new List<double>();
        for (int i = 0; i < s.Runs; i++)
        {
            // The profiled run: per-dispatch GPU time split by the TF Object Detection API's scopes.
            var timings = detector.Session.Run(input, main).Layers;
            double head = timings.Where(t => IsHead(t.Layer)).Sum(t => t.Milliseconds);
            stages.Add("backbone (MobileNetV2 + extra layers)", "device, timestamp queries", timings.Sum(t => t.Milliseconds) - head);
            stages.Add("heads (box and class predictors, reshapes, concat)", "device, timestamp queries", head);
            cheapest.Add(timings.Min(t => t.Milliseconds));
            foreach (var t in timings)
                (perLayer.TryGetValue(t.Layer + " (" + t.Kernel + ")", out var l) ? l : perLayer[t.Layer + " (" + t.Kernel + ")"] = []).Add(t.Milliseconds);
            TimeDetection(plain, photo, stages);
        }
        var (version, tfliteMs) = TimeTflite(path, detector.InputSize, input, s);
        stages.Add($"TensorFlow Lite {version} CPU, {s.Threads} threads (Invoke)", "host wall clock", tfliteMs);

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(path))}[/] on {Markup.Escape(device.ToString())}, " +
            $"{s.Runs} runs after {s.Warmup} warm-up (and at least 1 s), coffee.png");
        var table = new Table().AddColumn("stage").AddColumn(new TableColumn("median ms").RightAligned())
            .AddColumn(new TableColumn("p95 ms").RightAligned()).AddColumn("where");
        foreach (var (stage, where, ms) in stages.All)
        {
            var st = LatencyStats.From(ms);
            table.AddRow(stage, st.Median.ToString("F3"), st.P95.ToString("F3"), where);
        }
        AnsiConsole.Write(table);
        // What decides decode/NMS placement: a device stage costs at least one dispatch (plus a read-back), the host ones cost the above.
        AnsiConsole.MarkupLine($"cheapest single dispatch on this device: median {LatencyStats.From(cheapest).Median:F3} ms; " +
            $"{detector.Session.Dispatches.Count} dispatches per run");
        var slow = new Table().AddColumn("slowest layers").AddColumn(new TableColumn("median ms").RightAligned());
        foreach (var (layer, ms) in perLayer.Select(p => (p.Key, LatencyStats.From(p.Value).Median)).OrderByDescending(p => p.Median).Take(s.Top > 0 ? s.Top : 8))
            slow.AddRow(Markup.Escape(layer.Length > 110 ? "..." + layer[^107..] : layer), ms.ToString("F3"));
        AnsiConsole.Write(slow);
        return 0;
    }

    /// <summary>One whole detection as `gmn detect` runs it, and each of its stages.</summary>
    private static void TimeDetection(SsdDetector plain, RgbImage photo, StageSamples stages)
    {
        long t0 = Stopwatch.GetTimestamp();
        var r = plain.Detect(photo);
        double whole = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        stages.Add("preprocess (RGB to RGBA; resize and normalise on the device)", "host wall clock + device timestamps", r.PreprocessMs);
        stages.Add("network run (upload, submit, wait, read back), unprofiled", "host wall clock", r.NetworkMs);
        stages.Add("  upload (the frame written before the submission)", "host wall clock", r.UploadMs);
        stages.Add("  submission to completion (preprocess dispatch included)", "host wall clock", r.DeviceMs);
        stages.Add("  read back (outputs copied out)", "host wall clock", r.ReadbackMs);
        stages.Add("decode (boxes, sigmoid, threshold)", "host", r.DecodeMs);
        stages.Add("NMS", "host", r.NmsMs);
        stages.Add("detect (preprocess + network + decode + NMS), unprofiled", "host wall clock", whole);
        if (stages.Count("detect (preprocess + network + decode + NMS), unprofiled") <= 5)
            stages.Add("  the same, first 5 measured runs only (warm-up check)", "host wall clock", whole);
    }

    /// <summary>TensorFlow Lite's CPU interpreter on the same .tflite and input, the same thread count.</summary>
    private static (string Version, List<double> Ms) TimeTflite(string path, (int Width, int Height) size, float[] input, BenchSettings s)
    {
        var ms = new List<double>();
        string library = ModelSource.FindInRepo("models/cache/tflite/libtensorflowlite_c.so");
        using var tflite = new TfliteBaseline(library, File.ReadAllBytes(path), s.Threads);
        var nhwc = ToNhwc(input, 3, size.Height, size.Width);
        for (int i = 0; i < s.Warmup; i++) tflite.Invoke(nhwc);
        for (int i = 0; i < s.Runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            tflite.Invoke(nhwc);
            ms.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return (TfliteBaseline.Version(library), ms);
    }

    /// <summary>Milliseconds per stage, the stages in the order first seen.</summary>
    private sealed class StageSamples
    {
        private readonly List<(string Stage, string Where, List<double> Ms)> _stages = [];

        public IReadOnlyList<(string Stage, string Where, List<double> Ms)> All => _stages;

        public void Add(string stage, string where, double ms) => Find(stage, where).Add(ms);

        public void Add(string stage, string where, IEnumerable<double> ms) => Find(stage, where).AddRange(ms);

        public int Count(string stage) => _stages.FirstOrDefault(s => s.Stage == stage).Ms?.Count ?? 0;

        private List<double> Find(string stage, string where)
        {
            var found = _stages.FirstOrDefault(s => s.Stage == stage).Ms;
            if (found is null) _stages.Add((stage, where, found = []));
            return found;
        }
    }

    /// <summary>Prediction-head ops: the box predictors and the concatenation that assembles the raw outputs.</summary>
    private static bool IsHead(string layer) =>
        layer.Contains("BoxPredictor", StringComparison.Ordinal) || layer.StartsWith("concat", StringComparison.Ordinal)
        || layer.StartsWith("raw_outputs", StringComparison.Ordinal) || layer.StartsWith("Squeeze", StringComparison.Ordinal);

    private static float[] ToNhwc(float[] nchw, int c, int h, int w)
    {
        var nhwc = new float[nchw.Length];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++)
                nhwc[i * c + ch] = nchw[ch * h * w + i];
        return nhwc;
    }
}
