using System.Text.Json;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>gmn inspect --json (its rows add up to its totals) and an ONNX model whose input size is dynamic (shown
/// as such, with its symbolic names, instead of refused).</summary>
public class InspectJsonTests
{
    private static string PpocrDet
    {
        get
        {
            var path = Path.Combine(TestPaths.Cache, "onnx", "ppocr", "ch_PP-OCRv4_det_infer.onnx");
            Assert.That(File.Exists(path), $"{path} is missing: run scripts/setup");
            return path;
        }
    }

    [Test]
    public void LayersAndMemoryRowsAddUpToTheSummary()
    {
        var r = GmnProcess.Run("inspect", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--layers", "--memory", "--json");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers, Has.Count.EqualTo(root.GetProperty("ops").GetInt32()));
        Assert.That(layers.Sum(l => l.GetProperty("parameters").GetInt64()), Is.EqualTo(root.GetProperty("parameters").GetInt64()));
        Assert.That(layers.Sum(l => l.GetProperty("multiplyAdds").GetInt64()), Is.EqualTo(root.GetProperty("multiplyAdds").GetInt64()));
        Assert.That(root.GetProperty("opCounts").EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(layers.Count));
        Assert.That(root.GetProperty("inputs")[0].GetProperty("shape").GetString(), Is.EqualTo("3x64x64"));
        Assert.That(root.GetProperty("outputs")[0].GetProperty("shape").GetString(), Is.EqualTo("1000x1x1"));

        var memory = root.GetProperty("memory");
        Assert.That(memory.GetProperty("layers").GetArrayLength(), Is.EqualTo(memory.GetProperty("opsAfterPasses").GetInt32()));
        long planned = memory.GetProperty("plannedBytes").GetInt64();
        Assert.That(planned, Is.InRange(memory.GetProperty("theoreticalMinimumBytes").GetInt64(), memory.GetProperty("naiveBytes").GetInt64()));
        long lastByte = memory.GetProperty("layers").EnumerateArray().Max(l => l.GetProperty("offsetBytes").GetInt64() + l.GetProperty("outputBytes").GetInt64());
        Assert.That(lastByte, Is.LessThanOrEqualTo(planned), "every output lies inside the planned arena");

        // The text run states the same totals.
        var text = GmnProcess.Run("inspect", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64");
        Assert.That(text.StdOut, Does.Contain($"parameters:     {root.GetProperty("parameters").GetInt64():N0}"));
    }

    [Test]
    public void DynamicInputSizeIsShownWithItsSymbolsAndAHint()
    {
        var text = GmnProcess.Run("inspect", "--model", PpocrDet);
        Assert.That(text.ExitCode, Is.Zero, text.StdErr);
        Assert.That(text.StdOut, Does.Contain("x 3x?x? (").And.Contain("give --input-size"));

        var r = GmnProcess.Run("inspect", "--model", PpocrDet, "--json");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("dynamic").GetBoolean(), Is.True);
        var input = root.GetProperty("inputs")[0];
        Assert.That(input.GetProperty("shape").GetString(), Is.EqualTo("3x?x?"));
        var dims = input.GetProperty("dims").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.That(input.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(dims.Skip(2)));
        Assert.That(root.GetProperty("onnxOpCounts").EnumerateObject().Sum(p => p.Value.GetInt32()), Is.EqualTo(root.GetProperty("ops").GetInt32()));
        Assert.That(root.GetProperty("onnxOpCounts").GetProperty("Conv").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public void DynamicInputSizeGivenShowsTheLayers()
    {
        var r = GmnProcess.Run("inspect", "--model", PpocrDet, "--input-size", "64x96", "--json", "--layers");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.That(doc.RootElement.GetProperty("dynamic").GetBoolean(), Is.False);
        Assert.That(doc.RootElement.GetProperty("inputs")[0].GetProperty("shape").GetString(), Is.EqualTo("3x64x96"));
        Assert.That(doc.RootElement.GetProperty("layers").GetArrayLength(), Is.EqualTo(doc.RootElement.GetProperty("ops").GetInt32()));
    }

    [Test]
    public void ZooProgressIsPlainLinesWhenStderrIsNotATerminal()
    {
        var r = GmnProcess.Run("zoo", "--no-bench", "--models", "mobilenet_v1");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty.And.All.Match(@"^\[\d+/\d+\] mobilenet_v1 "));
        Assert.That(lines[^1], Does.StartWith($"[{lines.Length}/{lines.Length}]"));
        Assert.That(r.StdErr, Does.Not.Contain("\r"));
    }
}
