using System.CommandLine;
using System.Diagnostics;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn bench: whole-network latency on the selected device (median, p95, min over N runs).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var batch = new Option<int>("--batch") { Description = "samples per run", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs", "-n") { Description = "timed runs", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 3 };
        var perLayer = new Option<bool>("--per-layer") { Description = "GPU time of every dispatch (timestamp queries)" };
        var command = new Command("bench", "time a model on the GPU") { batch, runs, warmup, perLayer };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            var graph = source.Load();
            int n = Math.Max(1, r.GetValue(runs));
            using var device = VulkanDevice.Open(new DeviceOptions { Device = r.GetValue(common.Device) });
            using var session = InferenceSession.Create(graph, device,
                new SessionOptions { Batch = r.GetValue(batch), Profiling = r.GetValue(perLayer) });
            var input = new float[session.InputLength];
            var output = new float[session.OutputLength];
            for (int i = 0; i < r.GetValue(warmup); i++) session.Run(input, output);

            var times = new double[n];
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"{n} runs", maxValue: n);
                for (int i = 0; i < n; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    session.Run(input, output);
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    task.Increment(1);
                }
            });
            var latency = LatencyStats.From(times);
            Console.WriteLine($"model:   {source.Describe()}, batch {session.Batch}");
            Console.WriteLine($"device:  {device}");
            Console.WriteLine($"latency: median {latency.Median:F2} ms, p95 {latency.P95:F2} ms, min {latency.Min:F2} ms over {n} runs " +
                              $"({session.Batch * 1000 / latency.Median:F1} images/s)");
            if (r.GetValue(perLayer)) PrintLayers(session);
            return 0;
        });
        return command;
    }

    private static void PrintLayers(InferenceSession session)
    {
        var table = new Table().AddColumns("layer", "kernel").AddColumn(new TableColumn("ms").RightAligned());
        foreach (var t in session.LastTimings) table.AddRow(Markup.Escape(t.Layer), t.Kernel, t.Milliseconds.ToString("F3"));
        AnsiConsole.Write(table);
        Console.WriteLine($"GPU total: {session.LastTimings.Sum(t => t.Milliseconds):F2} ms in {session.LastTimings.Count} dispatches");
    }
}
