using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>gmn with --model any.onnx: a built-in exported by `gmn export-onnx` and read back classifies a photo
/// exactly as the built-in does; inspect describes the file; a bad file is one line on stderr.</summary>
public class OnnxModelCommandTests
{
    [Test]
    public void ExportedModelClassifiesLikeTheBuiltIn()
    {
        using var dir = new TempDir();
        var path = dir.File("v1.onnx");
        string[] model = ["--alpha", "0.25", "--resolution", "64", "--classes", "7", "--seed", "5"];
        var export = GmnProcess.Run(["export-onnx", "--model", "mobilenet_v1", .. model, "-o", path]);
        Assert.That(export.ExitCode, Is.Zero, export.StdErr + export.StdOut);
        string photo = TestPaths.Photo("chelsea.png");

        var builtIn = GmnProcess.Run(["classify", "--model", "mobilenet_v1", .. model, photo]);
        var onnx = GmnProcess.Run("classify", "--model", path, photo);

        Assert.That(onnx.ExitCode, Is.Zero, onnx.StdErr + onnx.StdOut);
        Assert.That(onnx.StdOut, Does.Contain("input 3x64x64 NCHW: (pixel * 0.003922 - mean [0, 0, 0]) / std [1, 1, 1]"));
        Assert.That(Table(onnx.StdOut), Is.EqualTo(Table(builtIn.StdOut)).And.Contain("class"));

        var inspect = GmnProcess.Run("inspect", "--model", path);
        Assert.That(inspect.ExitCode, Is.Zero, inspect.StdErr);
        Assert.That(inspect.StdOut, Does.Contain("ONNX ops:").And.Contain("Conv 27"));
    }

    [Test]
    public void BadFileIsOneLine()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.onnx");
        File.WriteAllText(path, "not a model");
        var r = GmnProcess.Run("inspect", "--model", path);
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr.Trim(), Does.StartWith("gmn: error: " + path).And.Not.Contain("\n"));
    }

    /// <summary>The rows of the result table (the timing line above it differs run to run).</summary>
    private static string Table(string stdout) => string.Join("\n", stdout.Split('\n').Where(l => l.StartsWith('│')));
}
