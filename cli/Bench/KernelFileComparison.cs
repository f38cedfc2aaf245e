using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using Spectre.Console;

namespace GpuMobileNet.Cli.Bench;

/// <summary>`gmn bench --kernel-file my.comp`: a user's variant of one built-in kernel (the file's name, or
/// --kernel-name, says which), compiled at run time and timed against ours on the same layers of the same session,
/// interleaved run by run, with both outputs checked against the CPU reference.</summary>
internal static class KernelFileComparison
{
    /// <summary>The user's kernel may differ from the reference by this much (fp32 sums in another order).</summary>
    public const double Tolerance = 1e-3;

    public static int Run(BenchSettings settings, string kernelFile, string? kernelName)
    {
        var name = kernelName ?? Path.GetFileNameWithoutExtension(kernelFile);
        if (!ShaderLibrary.Names.Contains(name))
            throw new UsageException($"--kernel-file '{kernelFile}': '{name}' is not a kernel of the engine (name the file after one, or pass --kernel-name): " +
                string.Join(", ", ShaderLibrary.Names.Where(n => !n.Contains("_fp16"))));
        var source = File.Exists(kernelFile) ? File.ReadAllText(kernelFile) : throw new FileNotFoundException($"--kernel-file '{kernelFile}': no such file");
        var spirv = ShaderCompiler.Compile(source, ShaderLanguage.Glsl, fileName: kernelFile);
        AnsiConsole.MarkupLine($"[grey]compiled {Markup.Escape(kernelFile)} ({spirv.Length} bytes of SPIR-V) in place of {name}[/]");

        var graph = settings.Source.Load();
        var options = settings.SessionAt(settings.Batch) with { Profiling = true };
        using var ours = CliDevice.Open(settings.Device);
        using var theirs = VulkanDevice.Open(new DeviceOptions
        {
            Device = settings.Device, KernelOverrides = new Dictionary<string, byte[]> { [name] = spirv },
            Validation = ours.ValidationEnabled,
        });
        using var a = InferenceSession.Create(graph, ours, options);
        using var b = InferenceSession.Create(graph, theirs, options);
        var layers = a.Dispatches.Select((d, i) => (d, i)).Where(x => x.d.Shader == name).ToList();
        if (layers.Count == 0)
            throw new UsageException($"--kernel-file: the session of {settings.Source.Describe()} runs no '{name}' dispatch " +
                $"(it runs {string.Join(", ", a.Dispatches.Select(d => d.Shader).Distinct())}); try --layout or another model");

        var input = SeededInput.Uniform(settings.Seed, a.InputLength);
        var reference = ReferenceExecutor.Run(graph, input, settings.Batch);
        var outA = new float[a.OutputLength];
        var outB = new float[b.OutputLength];
        var msA = layers.Select(_ => new List<double>()).ToArray();
        var msB = layers.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < settings.Warmup + settings.Runs; r++)
        {
            var timingsA = a.Run(input, outA).Layers;
            var timingsB = b.Run(input, outB).Layers;
            if (r < settings.Warmup) continue;
            for (int j = 0; j < layers.Count; j++)
            {
                msA[j].Add(timingsA[layers[j].i].Milliseconds);
                msB[j].Add(timingsB[layers[j].i].Milliseconds);
            }
        }
        var table = new Table().Title($"{name}: ours vs {Markup.Escape(Path.GetFileName(kernelFile))}, batch {settings.Batch}, median of {settings.Runs} interleaved runs")
            .AddColumn("layer").AddColumn(new TableColumn("ours ms").RightAligned()).AddColumn(new TableColumn("yours ms").RightAligned())
            .AddColumn(new TableColumn("speedup").RightAligned());
        double totalA = 0, totalB = 0;
        for (int j = 0; j < layers.Count; j++)
        {
            double ta = LatencyStats.From(msA[j]).Median, tb = LatencyStats.From(msB[j]).Median;
            totalA += ta;
            totalB += tb;
            table.AddRow(Markup.Escape(layers[j].d.Label), ta.ToString("F3"), tb.ToString("F3"), $"{ta / tb:F2}x");
        }
        table.AddRow("[bold]total[/]", totalA.ToString("F3"), totalB.ToString("F3"), $"{totalA / totalB:F2}x");
        double diffA = SeededInput.MaxAbsDiff(outA, reference), diffB = SeededInput.MaxAbsDiff(outB, reference);
        table.Caption($"max abs diff vs the CPU reference: ours {diffA:E1}, yours {diffB:E1} (tolerance {Tolerance:E0}). speedup: ours over yours.");
        AnsiConsole.Write(table);
        if (diffB > Tolerance)
            throw new InvalidOperationException($"{kernelFile}: the output differs from the CPU reference by {diffB:E2} (> {Tolerance:E0})");
        return 0;
    }
}
