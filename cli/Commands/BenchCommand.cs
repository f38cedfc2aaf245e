using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using GpuMobileNet.Cli.Bench;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn bench: device peak, per-layer GPU time, whole-network latency per batch size, kernel and pass
/// variants side by side, and ONNX Runtime on the same network, weights and input; --json for scripts.</summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // An output that went NaN shows up as an infinite difference; keep it rather than fail to write.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var common = new CommonOptions();
        var batch = new Option<int>("--batch") { Description = "batch of the per-layer profile and the variants", DefaultValueFactory = _ => 1 };
        var batches = new Option<string>("--batches") { Description = "comma-separated batch sizes for latency and throughput", DefaultValueFactory = _ => "1,8,32" };
        var runs = new Option<int>("--runs", "-n") { Description = "timed runs at batch 1 (fewer at larger batches: runs / sqrt(batch), at least 3)", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var top = new Option<int>("--top") { Description = "per-layer table: only the N slowest layers (0: all)", DefaultValueFactory = _ => 0 };
        var perLayer = new Option<bool>("--per-layer") { Description = "kept for old scripts: the per-layer table is on unless --no-layers" };
        var noLayers = new Option<bool>("--no-layers") { Description = "skip the per-layer profile" };
        var noVariants = new Option<bool>("--no-variants") { Description = "skip the kernel/pass variants" };
        var variant = new Option<string?>("--variant")
        {
            Description = "only the variant rows whose name contains one of these comma-separated words (e.g. \"GEMMs,default\"; the first row chosen is the speedups' baseline)",
        };
        var noOrt = new Option<bool>("--no-ort") { Description = "skip ONNX Runtime" };
        var layout = new Option<string>("--layout")
        {
            Description = "activation layout of the per-layer profile and the latency runs: auto (the session's default), nchw or nc4hw4",
            DefaultValueFactory = _ => "auto",
        };
        var json = new Option<string?>("--json") { Description = "also write every result to this JSON file" };
        var kernelFile = new Option<string?>("--kernel-file")
        {
            Description = "time your GLSL variant of one of our kernels (named after it, e.g. pointwise_conv_packed.comp) against ours on the same layers, checked against the CPU reference",
        };
        var kernelName = new Option<string?>("--kernel-name") { Description = "with --kernel-file: which kernel it replaces (default: the file's name)" };
        var peer = new PeerOptions();
        var peerParam = new Option<string?>("--peer-param") { Description = "with --peer ncnn: the .param benchncnn runs when --model is not one" };
        var command = new Command("bench", "benchmark a model: per layer, per batch, per variant, and against ONNX Runtime")
        {
            batch, batches, runs, warmup, threads, top, perLayer, noLayers, noVariants, variant, noOrt, layout, json, kernelFile, kernelName,
        };
        common.AddTo(command);
        peer.AddTo(command);
        command.Add(peerParam);
        command.SetAction(r =>
        {
            var jsonPath = r.GetValue(json) is { } j ? OptionChecks.WritableFile(j, "--json") : null;
            var settings = new BenchSettings(common.Source(r), r.GetValue(common.Device), OptionChecks.Batch(r.GetValue(batch)),
                Positive(r.GetValue(runs), "--runs"), Math.Max(0, r.GetValue(warmup)), ParseBatches(r.GetValue(batches)!),
                Positive(r.GetValue(threads), "--threads"), !r.GetValue(noLayers), r.GetValue(top), !r.GetValue(noVariants),
                !r.GetValue(noOrt), r.GetValue(common.Seed))
            {
                ChosenVariants = r.GetValue(variant) is { } words ? Variants.Matching(words) : Variants.All,
                PackChannels = r.GetValue(layout) switch
                {
                    "auto" => null,
                    "nchw" => false,
                    "nc4hw4" => true,
                    var other => throw new UsageException($"--layout '{other}': expected auto, nchw or nc4hw4"),
                },
            };
            if (peer.Settings(r) is { } peerSettings)
            {
                var peerReport = NcnnBench.Run(settings, peerSettings, r.GetValue(peerParam));
                NcnnBench.Print(peerReport);
                WriteJson(peerReport, jsonPath);
                return 0;
            }
            if (DetectBench.Applies(settings)) return DetectBench.Run(settings);
            if (r.GetValue(kernelFile) is { } file)
                return KernelFileComparison.Run(settings, file, r.GetValue(kernelName));
            var report = new BenchRunner(settings).Run();
            BenchTables.Print(report, settings);
            WriteJson(report, jsonPath);
            return 0;
        });
        return command;
    }

    /// <summary>Writes <paramref name="report"/> to --json's file, if given.</summary>
    public static void WriteJson<T>(T report, string? path)
    {
        if (path is null) return;
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json));
        Console.WriteLine($"wrote {path}");
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new UsageException($"{option} must be at least 1, got {value}");

    private static IReadOnlyList<int> ParseBatches(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var list = parts.Select(p => int.TryParse(p, out var b) && b >= 1 && b <= OptionChecks.MaxBatch ? b
            : throw new UsageException($"--batches '{text}': '{p}' is not a batch size from 1 to {OptionChecks.MaxBatch}")).Distinct().ToList();
        return list.Count > 0 ? list : throw new UsageException("--batches: give at least one batch size, e.g. 1,8,32");
    }
}
