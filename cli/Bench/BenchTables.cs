using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>Prints a <see cref="BenchReport"/> as Spectre tables, one per section that ran.</summary>
internal static class BenchTables
{
    public static void Print(BenchReport r, BenchSettings settings)
    {
        AnsiConsole.MarkupLine($"[bold]model[/]   {Markup.Escape(r.Model)}, input {r.Input}, {r.MultiplyAddsPerImage / 1e6:F1} M multiply-adds per image");
        AnsiConsole.MarkupLine($"[bold]device[/]  {Markup.Escape(r.Device)}; FMA peak {r.PeakGflops:F1} GFLOP/s (shaders/fma_peak.comp, best of 5)");
        if (r.Layers is { } layers) PrintLayers(layers, settings.Top, r.PeakGflops);
        PrintLatency(r);
        if (r.Variants is { } variants) PrintVariants(variants, settings.Batch);
    }

    private static void PrintLayers(LayerProfile p, int top, double peak)
    {
        var rows = p.Layers.OrderByDescending(l => l.Milliseconds).Take(top > 0 ? top : int.MaxValue).ToList();
        var table = new Table().Title($"per layer, batch {p.Batch}: GPU time (timestamps, median of {p.Runs} runs)" +
                                      (rows.Count < p.Layers.Count ? $", slowest {rows.Count} of {p.Layers.Count}" : ""))
            .AddColumns("layer", "op", "kernel");
        foreach (var h in new[] { "dispatches", "ms", "% time", "MMACs", "MB moved", "GFLOP/s", "% peak" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var l in rows)
            table.AddRow(Markup.Escape(l.Layer), l.Op, l.Kernels, l.Dispatches.ToString(), l.Milliseconds.ToString("F3"),
                (100 * l.Milliseconds / p.GpuMilliseconds).ToString("F1"), (l.MultiplyAdds / 1e6).ToString("F2"),
                (l.BytesMoved / 1e6).ToString("F2"), l.Gflops.ToString("F2"), l.PercentOfPeak.ToString("F1"));
        table.AddRow("[bold]total[/]", "", "", p.Layers.Sum(l => l.Dispatches).ToString(), p.GpuMilliseconds.ToString("F3"), "100",
            (p.MultiplyAdds / 1e6).ToString("F2"), (p.Layers.Sum(l => l.BytesMoved) / 1e6).ToString("F2"), p.Gflops.ToString("F2"),
            (100 * p.Gflops / peak).ToString("F1"));
        table.Caption("MMACs: multiply-adds of the op (after the passes) x batch; GFLOP/s = 2 x MACs / time. " +
                      "MB moved: the op's input activations + output + parameters, fp32, each counted once (compulsory traffic, a floor).");
        AnsiConsole.Write(table);

        var kernels = new Table().Title("per kernel").AddColumn("kernel");
        foreach (var h in new[] { "dispatches", "ms", "% time", "MMACs", "GFLOP/s", "% peak" })
            kernels.AddColumn(new TableColumn(h).RightAligned());
        foreach (var k in p.Kernels)
            kernels.AddRow(k.Kernel, k.Dispatches.ToString(), k.Milliseconds.ToString("F3"), (100 * k.Milliseconds / p.GpuMilliseconds).ToString("F1"),
                (k.MultiplyAdds / 1e6).ToString("F2"), k.Gflops.ToString("F2"), k.PercentOfPeak.ToString("F1"));
        AnsiConsole.Write(kernels);
    }

    private static void PrintLatency(BenchReport r)
    {
        var table = new Table().Title("whole network: wall clock per run (input in, run, output out)").AddColumn("engine")
            .AddColumn(new TableColumn("batch").RightAligned()).AddColumn(new TableColumn("runs").RightAligned());
        foreach (var h in new[] { "median ms", "p95 ms", "min ms", "images/s", "ours / ORT", "max abs diff" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var l in r.Latency)
        {
            table.AddRow(Row("GpuMobileNet", l, "", ""));
            if (r.Ort?.FirstOrDefault(o => o.Batch == l.Batch) is { } o)
                table.AddRow(Row($"ONNX Runtime CPU, {o.Threads} threads", o.Latency, o.OursOverOrt.ToString("F2"), o.MaxAbsDiff.ToString("E1")));
        }
        var caption = new List<string>();
        if (r.Ort is not null)
            caption.Add("ours / ORT: our median over ORT's (below 1: we are faster). max abs diff: ORT's output vs ours on the same input, fp32.");
        if (r.Latency.Any(l => l.SubBatch < l.Batch))
            caption.Add("batch (k x n): run as k submissions of n samples, the most the device's buffer limits hold at once.");
        if (caption.Count > 0) table.Caption(string.Join(" ", caption));
        AnsiConsole.Write(table);
    }

    private static void PrintVariants(IReadOnlyList<VariantResult> variants, int batch)
    {
        var table = new Table().Title($"variants on the same model and input, batch {batch}").AddColumn("variant");
        foreach (var h in new[] { "median ms", "p95 ms", "min ms", "images/s", "speedup", "max abs diff vs reference" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var v in variants)
            table.AddRow(Markup.Escape(v.Name), v.Latency.MedianMs.ToString("F2"), v.Latency.P95Ms.ToString("F2"), v.Latency.MinMs.ToString("F2"),
                v.Latency.ImagesPerSecond.ToString("F1"), $"{v.SpeedupVsFirst:F2}x", v.MaxAbsDiffVsReference.ToString("E1"));
        table.Caption($"speedup: median of the first variant over this one's. Reference: the CPU reference executor (double accumulation).");
        AnsiConsole.Write(table);
    }

    private static string[] Row(string engine, BatchLatency l, string ratio, string diff) =>
    [
        Markup.Escape(engine), l.BatchText, l.Runs.ToString(), l.MedianMs.ToString("F2"), l.P95Ms.ToString("F2"),
        l.MinMs.ToString("F2"), l.ImagesPerSecond.ToString("F1"), ratio, diff,
    ];
}
