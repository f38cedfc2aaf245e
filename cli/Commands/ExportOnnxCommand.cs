using System.CommandLine;
using GpuMobileNet.Bench;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Commands;

/// <summary>gmn export-onnx: writes the model as ONNX, then proves the file by running it in ONNX Runtime and
/// comparing with our CPU reference on a seeded input (fails if they disagree by more than 1e-4).</summary>
internal static class ExportOnnxCommand
{
    /// <summary>fp32 agreement asked of ONNX Runtime against our reference, absolute.</summary>
    public const double Tolerance = 1e-4;

    public static Command Create()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--output", "-o") { Description = "ONNX file to write", Required = true };
        var batch = new Option<int>("--batch") { Description = "fixed batch size of the exported input", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads for the check", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("export-onnx", "write the model as ONNX and check it in ONNX Runtime") { output, batch, threads };
        common.AddTo(command);
        command.SetAction(r =>
        {
            var source = common.Source(r);
            int n = OptionChecks.Batch(r.GetValue(batch));
            var path = OptionChecks.WritableFile(r.GetValue(output)!, "--output");
            var graph = source.Load();
            var bytes = OnnxExporter.ToBytes(graph, n);
            File.WriteAllBytes(path, bytes);
            Console.WriteLine($"wrote {path} ({bytes.Length / 1e6:F1} MB): {source.Describe()}, batch {n}");

            var s = graph.Input.Shape;
            var input = SeededInput.Uniform(r.GetValue(common.Seed), n * s.Elements);
            var expected = ReferenceExecutor.Run(graph, input, n);
            using var ort = new OrtBaseline(File.ReadAllBytes(path), Math.Max(1, r.GetValue(threads)));
            var actual = ort.Run(input, n, s.C, s.H, s.W);
            double diff = SeededInput.MaxAbsDiff(actual, expected);
            bool ok = diff <= Tolerance;
            Console.WriteLine($"ONNX Runtime vs reference: max abs diff {diff:E2} over {expected.Length} outputs ({(ok ? "ok" : "FAILED")}, tolerance {Tolerance:E0})");
            if (!ok)
                throw new InvalidOperationException($"{path}: ONNX Runtime disagrees with the reference by {diff:E2} (> {Tolerance:E0})");
            return 0;
        });
        return command;
    }
}
