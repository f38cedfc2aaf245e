using System.Globalization;
using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>What `gmn bench --peer ncnn` measured: the model, both sides' devices and the interleaved rounds.</summary>
internal sealed record PeerReport(string Model, string Param, string Input, long MultiplyAdds, string Device, string? NcnnVulkanDevice,
    int Runs, int Warmup, int Threads, PeerComparison Comparison);

/// <summary>`gmn bench --peer ncnn`: our session and benchncnn (Vulkan and CPU) on the same .param and input shape,
/// interleaved round by round; medians and our/ncnn ratios.</summary>
internal static class NcnnBench
{
    public static PeerReport Run(BenchSettings s, PeerSettings peer, string? peerParam)
    {
        string param = ParamFor(s.Source, peerParam);
        var graph = s.Source.Load();
        var shape = graph.Input.Shape;
        var whc = (shape.W, shape.H, shape.C);
        using var device = CliDevice.Open(s.Device);
        using var session = InferenceSession.Create(graph, device, s.SessionAt(1));
        var input = SeededInput.Uniform(s.Seed, shape.Elements);
        int warmup = Math.Max(s.Warmup, PeerRounds.BenchncnnVulkanWarmup); // at least benchncnn's own
        var comparison = PeerRounds.Run(peer.Rounds, PeerRounds.Ours(session, input, warmup, s.Runs),
            () => peer.Ncnn.Run(param, whc, peer.Gpu, s.Runs, s.Threads),
            () => peer.Ncnn.Run(param, whc, -1, s.Runs, s.Threads),
            (i, r) => Console.Error.WriteLine($"round {i + 1}/{peer.Rounds}: {RoundText(r)}"));
        return new PeerReport(s.Source.Describe(), param, $"{shape.C}x{shape.H}x{shape.W}", GraphStats.Compute(graph).MultiplyAdds,
            device.ToString(), comparison.NcnnVulkanDevice, s.Runs, warmup, s.Threads, comparison);
    }

    /// <summary>The .param benchncnn runs: --model itself when it is one, else --peer-param.</summary>
    private static string ParamFor(ModelSource source, string? peerParam)
    {
        // A .param --model is read by both engines, the very same file; another --model (a built-in, an ONNX file) needs
        // --peer-param to name ncnn's counterpart.
        string? param = source.Model is { } m && m.EndsWith(".param", StringComparison.OrdinalIgnoreCase) ? m : peerParam;
        if (param is null) throw new UsageException("--peer ncnn: --model is not an ncnn .param, so name the .param benchncnn runs with --peer-param");
        return File.Exists(param) ? param : throw new UsageException($"--peer-param '{param}': no such file");
    }

    public static void Print(PeerReport report)
    {
        var c = report.Comparison;
        AnsiConsole.MarkupLine(Markup.Escape($"{report.Model} vs ncnn on {Path.GetFileName(report.Param)}, input {report.Input}, " +
            $"{c.Rounds.Count} interleaved rounds of {report.Runs} runs; ncnn CPU with {Threads(report.Threads)}"));
        var table = new Table().AddColumn("engine").AddColumn(new TableColumn("median of rounds, ms").RightAligned())
            .AddColumn("per round (ms)").AddColumn(new TableColumn("ours / this").RightAligned());
        table.AddRow(Markup.Escape($"ours ({report.Device})"), Ms(c.OursMs), Rounds(c, r => r.OursMs), "1.00");
        table.AddRow(Markup.Escape($"ncnn Vulkan ({report.NcnnVulkanDevice ?? "device not reported"})"), Ms(c.NcnnVulkanMs), Rounds(c, r => r.NcnnVulkanMs), Ratio(c.OursOverVulkan));
        table.AddRow(Markup.Escape($"ncnn CPU, {Threads(report.Threads)}"), Ms(c.NcnnCpuMs), Rounds(c, r => r.NcnnCpuMs), Ratio(c.OursOverCpu));
        AnsiConsole.Write(table);
        Console.WriteLine($"ours: average wall-clock ms of a batch-1 run (input in, output out) after a full .NET collection and " +
            $"{report.Warmup} untimed runs per round; ncnn: benchncnn's average per round " +
            $"(a fresh process, {PeerRounds.BenchncnnVulkanWarmup} untimed loops on Vulkan, 8 on CPU), zero weights; medians over the rounds; ratio < 1: ours is faster");
    }

    private static string Threads(int n) => n == 1 ? "1 thread" : $"{n} threads";

    /// <summary>One round as a progress line.</summary>
    public static string RoundText(PeerRound r) => $"ours {Ms(r.OursMs)} ms, ncnn Vulkan {Ms(r.NcnnVulkanMs)} ms, ncnn CPU {Ms(r.NcnnCpuMs)} ms";

    public static string Ms(double? ms) => ms is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    public static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Rounds(PeerComparison c, Func<PeerRound, double?> pick) => string.Join(", ", c.Rounds.Select(r => Ms(pick(r))));
}
