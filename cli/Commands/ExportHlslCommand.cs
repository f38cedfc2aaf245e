using System.CommandLine;
using GpuMobileNet.Export.Hlsl;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn export-hlsl: the model's kernels as HLSL specialised for it (constants defined), its weights and a
/// manifest of bindings, push constants and dispatches, for a game engine's own compute shaders (docs/embedding.md).</summary>
internal static class ExportHlslCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out", "-o") { Description = "directory to write the kernels, weights.bin and manifest.json into", Required = true };
        var batch = new Option<int>("--batch") { Description = "batch size the dispatches are planned for", DefaultValueFactory = _ => 1 };
        var command = new Command("export-hlsl", "write the model's specialised kernels as HLSL, with its weights and a manifest") { output, batch };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            int n = OptionChecks.Batch(r.GetValue(batch));
            var dir = r.GetValue(output)!;
            if (File.Exists(dir)) throw new UsageException($"--out '{dir}' is a file; give a directory");
            var graph = source.Load();
            using var device = CliDevice.Open(r.GetValue(common.Device));
            using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = n, Warmup = false });
            var files = HlslExporter.Write(session, dir);
            Console.WriteLine($"wrote {files.Count} kernels for {session.Dispatches.Count} dispatches, weights.bin ({session.WeightBytes / 1e6:F1} MB) " +
                $"and manifest.json to {dir}: {source.Describe()}, batch {n}, planned for '{device.Name}'");
            return 0;
        });
        return command;
    }
}
