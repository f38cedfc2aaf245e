using GpuMobileNet.Bench;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn export-onnx` writes a file ONNX Runtime loads, and checks it against our reference itself.</summary>
public class ExportOnnxCommandTests
{
    [Test]
    public void WritesAModelThatOnnxRuntimeRuns()
    {
        using var dir = new TempDir();
        var path = dir.File("v2.onnx");
        var r = GmnProcess.Run("export-onnx", "--model", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--batch", "2", "-o", path);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);
        Assert.That(r.StdOut, Does.Contain("max abs diff").And.Contain("(ok,"));
        // Independent of the command's own check: the file is there and ORT takes a batch-2 input of the model's shape.
        using var ort = new OrtBaseline(File.ReadAllBytes(path), threads: 1);
        var output = ort.Run(new float[2 * 3 * 96 * 96], 2, 3, 96, 96);
        Assert.That(output, Has.Length.EqualTo(2 * 1000));
    }

    [Test]
    public void MissingOutputOptionFails()
    {
        var r = GmnProcess.Run("export-onnx", "--model", "mobilenet_v2");
        Assert.That(r.ExitCode, Is.Not.Zero);
    }
}
