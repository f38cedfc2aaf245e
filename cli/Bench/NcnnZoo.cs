using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>One .param of `gmn zoo --peer ncnn`: our sizes and times where ours loads it (else why not), ncnn's times
/// (else why not), the ratios and our effective GFLOP/s (2 x MACs per ms).</summary>
internal sealed record NcnnZooRow(string Model, string Input, long? Params, long? MultiplyAdds, string? Ours, PeerComparison? Comparison, string? Note)
{
    public double? OursGflops => Comparison?.OursMs is { } ms && MultiplyAdds is { } macs && ms > 0 ? 2.0 * macs / ms / 1e6 : null;
}

/// <summary>`gmn zoo --peer ncnn`: every .param of a folder (ncnn's benchncnn list by default) through ours and through
/// benchncnn, interleaved per model; a model ours cannot load is a row saying why, never an abort.</summary>
internal static class NcnnZoo
{
    public static List<NcnnZooRow> Run(string paramsDir, PeerSettings peer, VulkanDevice device, int runs, int threads, IReadOnlyCollection<string>? only)
    {
        var files = Directory.GetFiles(paramsDir, "*.param").Order(StringComparer.Ordinal)
            .Where(f => only is null || only.Contains(Path.GetFileNameWithoutExtension(f))).ToList();
        if (files.Count == 0) throw new UsageException($"--params-dir '{paramsDir}': no .param files{(only is null ? "" : " named by --models")}");
        var rows = new List<NcnnZooRow>();
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            CliProgress.Step(i + 1, files.Count, Path.GetFileName(file));
            rows.Add(Measure(file, peer, device, runs, threads));
        }
        CliProgress.Done();
        return rows;
    }

    /// <summary>The input shapes (w, h, c) benchncnn's default list gives the models whose .param declares none.</summary>
    private static readonly Dictionary<string, (int W, int H, int C)> BenchncnnShapes = new(StringComparer.Ordinal)
    {
        ["FastestDet"] = (352, 352, 3),
        ["vision_transformer"] = (384, 384, 3),
    };

    /// <summary>--params-dir, else the params/ folder beside the peer's `run` wrapper (as in ncnn's peer folder).</summary>
    public static string ParamsDir(string? given, string? peerPath)
    {
        var dir = given ?? (peerPath is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(peerPath))!, "params"));
        if (dir is null) throw new UsageException("--peer ncnn: name the folder of .param files with --params-dir");
        return Directory.Exists(dir) ? dir : throw new UsageException($"--params-dir '{dir}': no such folder");
    }

    private static NcnnZooRow Measure(string param, PeerSettings peer, VulkanDevice device, int runs, int threads)
    {
        string name = Path.GetFileNameWithoutExtension(param);
        var shape = NcnnPeer.InputShape(param) ?? BenchncnnShapes.GetValueOrDefault(name);
        string input = shape is { } s ? $"{s.C}x{s.H}x{s.W}" : "?";
        ModelGraph? graph = null;
        string? note = null;
        InferenceSession? created = null;
        try
        {
            graph = OursFor(param, shape, new KernelChoice().KeepsInt8Weights(device.Kind), out note);
            created = InferenceSession.Create(graph, device, new SessionOptions { Batch = 1 });
        }
        catch (Exception e) when (e is NotSupportedException or InvalidInputException or ArgumentException)
        {
            note = (graph is null ? "not imported: " : "no session: ") + e.Message;
        }
        catch (VulkanException e)
        {
            // A device limit (VGG-16's 528 MB of weights over lavapipe's 128 MiB buffers) is this row's result, not the run's.
            note = "no session: " + e.Message;
        }
        using var session = created;
        var data = session is null ? [] : SeededInput.Uniform(1, session.InputLength);
        var ours = session is null ? null : PeerRounds.Ours(session, data, PeerRounds.BenchncnnVulkanWarmup, runs);
        PeerComparison? comparison = null;
        try
        {
            comparison = PeerRounds.Run(peer.Rounds, ours, () => peer.Ncnn.Run(param, shape, peer.Gpu, runs, threads),
                () => peer.Ncnn.Run(param, shape, -1, runs, threads), (_, r) => Console.Error.WriteLine("  " + NcnnBench.RoundText(r)));
        }
        catch (InvalidOperationException e) { note = (note is null ? "" : note + "; ") + e.Message; }
        var stats = graph is null ? null : GraphStats.Compute(graph);
        return new NcnnZooRow(name, input, stats?.Params, stats?.MultiplyAdds, graph?.Name, comparison, note);
    }

    /// <summary>Our graph for a .param: the very file benchncnn runs, through the engine's ncnn importer (seeded random
    /// weights; benchncnn's are zeros, which cost the same) and the validation every import gets; the note says how an
    /// int8 model runs and what the import ignored.</summary>
    private static ModelGraph OursFor(string param, (int W, int H, int C)? shape, bool keepsInt8, out string? note)
    {
        var model = ModelImporter.LoadNcnn(param, new ModelImportOptions { InputHeight = shape?.H, InputWidth = shape?.W });
        string int8 = "int8 weights run dequantised (fp32; " + (keepsInt8 ? "1x1 and dense weights stored int8)" : "stored fp32 on this device)");
        var notes = model.Warnings.Prepend(model.IsInt8 ? int8 : null).OfType<string>().ToList();
        note = notes.Count > 0 ? string.Join("; ", notes) : null;
        return model.Graph;
    }

    private static readonly string[] Headers =
        ["model", "input", "params M", "MACs M", "ours ms", "ncnn Vulkan ms", "ncnn CPU ms", "ours/ncnn Vulkan", "ours/ncnn CPU", "ours GFLOP/s", "note"];

    private static string[] Cells(NcnnZooRow r) =>
    [
        r.Model, r.Input, Millions(r.Params), Millions(r.MultiplyAdds), NcnnBench.Ms(r.Comparison?.OursMs),
        NcnnBench.Ms(r.Comparison?.NcnnVulkanMs), NcnnBench.Ms(r.Comparison?.NcnnCpuMs), NcnnBench.Ratio(r.Comparison?.OursOverVulkan),
        NcnnBench.Ratio(r.Comparison?.OursOverCpu), r.OursGflops is { } g ? g.ToString("0.0", CultureInfo.InvariantCulture) : "-",
        r.Note ?? "",
    ];

    private static string Millions(long? v) => v is { } x ? (x / 1e6).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    public static void Print(List<NcnnZooRow> rows, bool markdown, string device, int runs, PeerSettings peer)
    {
        if (markdown)
        {
            Console.WriteLine("| " + string.Join(" | ", Headers) + " |");
            Console.WriteLine("|" + string.Concat(Headers.Select((_, i) => i < 2 || i == Headers.Length - 1 ? "---|" : "---:|")));
            foreach (var row in rows) Console.WriteLine("| " + string.Join(" | ", Cells(row)) + " |");
            Console.WriteLine();
        }
        else
        {
            var table = new Table();
            foreach (var (h, i) in Headers.Select((h, i) => (h, i)))
                table.AddColumn(i < 2 || i == Headers.Length - 1 ? new TableColumn(h) : new TableColumn(h).RightAligned());
            foreach (var row in rows) table.AddRow(Cells(row).Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
        }
        Console.WriteLine($"ours: average batch-1 ms of {runs} runs on {device}, each round after a full .NET collection (the previous " +
            $"model's session disposed) and {PeerRounds.BenchncnnVulkanWarmup} untimed runs; ncnn: benchncnn's average of {runs} loops " +
            $"(zero weights; a fresh process each round, {PeerRounds.BenchncnnVulkanWarmup} untimed loops on Vulkan, 8 on CPU), Vulkan device {peer.Gpu} " +
            $"and CPU; each the median of {peer.Rounds} interleaved rounds; ratio < 1: ours is faster; GFLOP/s: 2 x MACs / our time");
    }
}
