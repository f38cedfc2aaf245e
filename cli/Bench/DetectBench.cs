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

        var network = new List<double>();
        var backbone = new List<double>();
        var heads = new List<double>();
        var decode = new List<double>();
        var nms = new List<double>();
        var total = new List<double>();
        var cheapest = new List<double>();
        var perLayer = new Dictionary<string, List<double>>();
        for (int i = 0; i < s.Runs; i++)
        {
            // The profiled run: per-dispatch GPU time split by the TF Object Detection API's scopes.
            var timings = detector.Session.Run(input, main).Layers;
            double head = timings.Where(t => IsHead(t.Layer)).Sum(t => t.Milliseconds);
            heads.Add(head);
            backbone.Add(timings.Sum(t => t.Milliseconds) - head);
            cheapest.Add(timings.Min(t => t.Milliseconds));
            foreach (var t in timings)
                (perLayer.TryGetValue(t.Layer + " (" + t.Kernel + ")", out var l) ? l : perLayer[t.Layer + " (" + t.Kernel + ")"] = []).Add(t.Milliseconds);
            long t0 = Stopwatch.GetTimestamp();
            var result = plain.Detect(photo);
            total.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            network.Add(result.NetworkMs);
            decode.Add(result.DecodeMs);
            nms.Add(result.NmsMs);
        }

        var tfliteMs = new List<double>();
        string library = ModelSource.FindInRepo("models/cache/tflite/libtensorflowlite_c.so");
        string version = TfliteBaseline.Version(library);
        using (var tflite = new TfliteBaseline(library, File.ReadAllBytes(path), s.Threads))
        {
            var nhwc = ToNhwc(input, 3, detector.InputSize.Height, detector.InputSize.Width);
            for (int i = 0; i < s.Warmup; i++) tflite.Invoke(nhwc);
            for (int i = 0; i < s.Runs; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                tflite.Invoke(nhwc);
                tfliteMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(path))}[/] on {Markup.Escape(device.ToString())}, " +
            $"{s.Runs} runs after {s.Warmup} warm-up (and at least 1 s), coffee.png");
        var table = new Table().AddColumn("stage").AddColumn(new TableColumn("median ms").RightAligned())
            .AddColumn(new TableColumn("p95 ms").RightAligned()).AddColumn("where");
        void Row(string stage, List<double> ms, string where)
        {
            var st = LatencyStats.From(ms);
            table.AddRow(stage, st.Median.ToString("F3"), st.P95.ToString("F3"), where);
        }
        Row("backbone (MobileNetV2 + extra layers)", backbone, "device, timestamp queries");
        Row("heads (box and class predictors, reshapes, concat)", heads, "device, timestamp queries");
        Row("network run (upload, submit, wait, read back), unprofiled", network, "host wall clock");
        Row("decode (boxes, sigmoid, threshold)", decode, "host");
        Row("NMS", nms, "host");
        Row("detect (preprocess + network + decode + NMS), unprofiled", total, "host wall clock");
        if (total.Count > 10)
            Row("  the same, first 5 measured runs only (warm-up check)", total[..5], "host wall clock");
        Row($"TensorFlow Lite {version} CPU, {s.Threads} threads (Invoke)", tfliteMs, "host wall clock");
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
