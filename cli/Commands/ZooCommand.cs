using System.CommandLine;
using System.Globalization;
using GpuMobileNet.Cli.Bench;
using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn zoo: every built-in network at each width and input size of <see cref="ModelZoo.Variants"/> (the
/// registry each network adds its rows to): parameters and multiply-adds beside its paper's, the planned activation
/// memory at batch 1, and the median latency of a short benchmark on the chosen device.</summary>
internal static class ZooCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "timed runs per network (after 3 warm-up runs)", DefaultValueFactory = _ => 10 };
        var noBench = new Option<bool>("--no-bench") { Description = "sizes and memory only: no device, no timing" };
        var models = new Option<string?>("--models") { Description = "comma-separated model names to include (default: all)" };
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown (as in the README)" };
        var device = new Option<string?>("--device") { Description = "Vulkan device index or name (default: GMN_DEVICE, else the best GPU, else CPU)" };
        var peer = new PeerOptions();
        var paramsDir = new Option<string?>("--params-dir") { Description = "with --peer ncnn: the folder of .param files (default: params/ beside --peer-path)" };
        var json = new Option<string?>("--json") { Description = "with --peer ncnn: also write the table to this JSON file" };
        var threads = new Option<int>("--threads") { Description = "with --peer ncnn: ncnn's CPU threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("zoo", "every built-in network and width: params, multiply-adds (ours and the paper's), planned memory, latency; --peer ncnn: every .param of ncnn's list, ours beside ncnn's")
        {
            runs, noBench, models, markdown, device, paramsDir, json, threads,
        };
        peer.AddTo(command);
        command.SetAction(r =>
        {
            int timed = OptionChecks.InRange(r.GetValue(runs), "--runs", 1, 10_000);
            if (peer.Settings(r) is { } peerSettings)
            {
                var jsonPath = r.GetValue(json) is { } j ? OptionChecks.WritableFile(j, "--json") : null;
                var dir = NcnnZoo.ParamsDir(r.GetValue(paramsDir), r.GetValue(peer.PeerPath));
                var only = r.GetValue(models)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                int peerThreads = OptionChecks.InRange(r.GetValue(threads), "--threads", 1, 1024);
                using var peerDevice = CliDevice.Open(r.GetValue(device));
                var peerRows = NcnnZoo.Run(dir, peerSettings, peerDevice, timed, peerThreads, only);
                NcnnZoo.Print(peerRows, r.GetValue(markdown), peerDevice.ToString(), timed, peerSettings);
                BenchCommand.WriteJson(peerRows, jsonPath);
                return 0;
            }
            if (r.GetValue(json) is not null || r.GetValue(paramsDir) is not null)
                throw new UsageException("--json and --params-dir go with --peer ncnn");
            var names = r.GetValue(models)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names ?? [])
                if (!ModelZoo.Names.Contains(n)) throw new UsageException($"--models: unknown model '{n}'; known models: {string.Join(", ", ModelZoo.Names)}");
            var variants = ModelZoo.Variants.Where(v => names is null || names.Contains(v.Model)).ToList();
            using var dev = r.GetValue(noBench) ? null : CliDevice.Open(r.GetValue(device));
            var rows = variants.Select((v, i) =>
            {
                CliProgress.Step(i + 1, variants.Count, $"{v.Model} {v.Alpha.ToString(CultureInfo.InvariantCulture)} {v.Resolution}");
                return Measure(v, dev, timed);
            }).ToList();
            CliProgress.Done();
            if (r.GetValue(markdown)) PrintMarkdown(rows, dev);
            else PrintTable(rows, dev);
            return 0;
        });
        return command;
    }

    private sealed record Row(ZooVariant Variant, GraphStats Stats, long PlannedBytes, long MinimumBytes, BatchLatency? Latency);

    private static Row Measure(ZooVariant v, VulkanDevice? device, int runs)
    {
        var graph = ModelZoo.Create(v.Model, v.Alpha, v.Resolution, ModelZoo.DefaultClasses(v.Model), WeightInit.Random(1));
        // The memory a session on this device plans (lavapipe: channel-packed, no block fusion); a GPU's without one.
        var passes = new PassOptions().ResolveFor(cpuDevice: device is null || device.Kind == DeviceKind.Cpu);
        var after = PassPipeline.Apply(graph, passes);
        var report = MemoryReport.Create(after, ReusePlanner.Plan(after, 1, InPlacePolicy.Default));
        BatchLatency? latency = null;
        if (device is not null)
        {
            using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 1 });
            latency = Timing.Time(session, SeededInput.Uniform(1, graph.Input.Shape.Elements), 3, runs).Latency;
        }
        return new Row(v, GraphStats.Compute(graph), report.PlannedBytes, report.TheoreticalMinimumBytes, latency);
    }

    private static string M(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
    private static string Paper(double? v) => v is { } x ? x.ToString("0.0#", CultureInfo.InvariantCulture) : "-";
    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.00", CultureInfo.InvariantCulture);
    private static string Ms(BatchLatency? l) => l is null ? "-" : l.MedianMs.ToString("0.0", CultureInfo.InvariantCulture);

    private static string[] Cells(Row row) =>
    [
        row.Variant.Model, row.Variant.Alpha.ToString("0.0#", CultureInfo.InvariantCulture), row.Variant.Resolution.ToString(CultureInfo.InvariantCulture),
        M(row.Stats.Params / 1e6), Paper(row.Variant.PaperParamsM), M(row.Stats.MultiplyAdds / 1e6), Paper(row.Variant.PaperMultiplyAddsM),
        Mb(row.PlannedBytes), Mb(row.MinimumBytes), Ms(row.Latency),
    ];

    private static readonly string[] Headers =
        ["model", "width", "input", "params M", "paper", "MACs M", "paper", "planned MB", "minimum MB", "latency ms"];

    private static void PrintTable(List<Row> rows, VulkanDevice? device)
    {
        var table = new Table();
        foreach (var (h, i) in Headers.Select((h, i) => (h, i))) table.AddColumn(i < 3 ? new TableColumn(h) : new TableColumn(h).RightAligned());
        foreach (var row in rows) table.AddRow(Cells(row).Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        Console.WriteLine(Footer(device));
    }

    private static void PrintMarkdown(List<Row> rows, VulkanDevice? device)
    {
        Console.WriteLine("| " + string.Join(" | ", Headers) + " |");
        Console.WriteLine("|" + string.Concat(Headers.Select((_, i) => i < 3 ? "---|" : "---:|")));
        foreach (var row in rows) Console.WriteLine("| " + string.Join(" | ", Cells(row)) + " |");
        Console.WriteLine();
        Console.WriteLine(Footer(device));
    }

    private static string Footer(VulkanDevice? device) =>
        "params and MACs per image (ours beside the paper's; '-': the paper gives none); memory: the activation arena planned at batch 1 " +
        "and the theoretical minimum (peak live bytes), for the graph after the passes" +
        (device is null ? "" : $"; latency: median wall-clock ms of a batch-1 run on {device.Name}");
}
