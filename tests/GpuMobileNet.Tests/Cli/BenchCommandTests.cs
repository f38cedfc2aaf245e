using System.Text.Json;
using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn bench --json` on a small model: every section is there and its numbers are sane, the per-layer
/// MACs add up to the model's, and ONNX Runtime agrees with our GPU output.</summary>
public class BenchCommandTests
{
    private static JsonElement _report;
    private static string _stdout = "";

    [OneTimeSetUp]
    public void RunBenchOnce()
    {
        using var dir = new TempDir();
        var json = dir.File("bench.json");
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--runs", "2",
            "--batches", "1,2", "--warmup", "1", "--json", json);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);
        _stdout = r.StdOut;
        _report = JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
    }

    [Test]
    public void PeakAndTablesArePrinted()
    {
        Assert.That(_report.GetProperty("peakGflops").GetDouble(), Is.GreaterThan(0.1).And.LessThan(1e6));
        Assert.That(_stdout, Does.Contain("per layer").And.Contain("per kernel").And.Contain("ONNX Runtime").And.Contain("variants"));
    }

    [Test]
    public void LayerMacsAddUpToTheModel()
    {
        var model = ModelZoo.Create("mobilenet_v2", 0.35, 96, 1000, WeightInit.Random(1));
        long expected = GraphStats.Compute(model).MultiplyAdds;
        var layers = _report.GetProperty("layers");
        var rows = layers.GetProperty("layers").EnumerateArray().ToList();
        double macs = rows.Sum(l => l.GetProperty("multiplyAdds").GetDouble());
        Assert.Multiple(() =>
        {
            Assert.That(macs, Is.EqualTo(expected).Within(1).Percent, "sum of per-layer MACs, batch 1");
            Assert.That(rows.Sum(l => l.GetProperty("milliseconds").GetDouble()), Is.GreaterThan(0));
            Assert.That(rows.All(l => l.GetProperty("milliseconds").GetDouble() >= 0 && l.GetProperty("bytesMoved").GetDouble() > 0), Is.True,
                "every layer has a time and moves bytes");
            Assert.That(rows.Select(l => l.GetProperty("layer").GetString()), Does.Contain("block_16_project"));
            Assert.That(layers.GetProperty("kernels").GetArrayLength(), Is.GreaterThan(1));
        });
    }

    [Test]
    public void LatencyAtEveryBatch()
    {
        var latency = _report.GetProperty("latency").EnumerateArray().ToList();
        Assert.That(latency.Select(l => l.GetProperty("batch").GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        foreach (var l in latency)
            Assert.That(l.GetProperty("minMs").GetDouble(), Is.GreaterThan(0).And.LessThanOrEqualTo(l.GetProperty("medianMs").GetDouble()));
    }

    [Test]
    public void OnnxRuntimeAgreesWithUs()
    {
        var ort = _report.GetProperty("ort").EnumerateArray().ToList();
        Assert.That(ort, Has.Count.EqualTo(2));
        foreach (var o in ort)
            Assert.Multiple(() =>
            {
                Assert.That(o.GetProperty("maxAbsDiff").GetDouble(), Is.LessThanOrEqualTo(1e-4), $"batch {o.GetProperty("batch")}");
                Assert.That(o.GetProperty("latency").GetProperty("medianMs").GetDouble(), Is.GreaterThan(0));
                Assert.That(o.GetProperty("oursOverOrt").GetDouble(), Is.GreaterThan(0));
            });
    }

    [Test]
    public void VariantsAllRunAndAgreeWithTheReference()
    {
        var variants = _report.GetProperty("variants").EnumerateArray().ToList();
        Assert.That(variants, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(variants[0].GetProperty("speedupVsFirst").GetDouble(), Is.EqualTo(1.0));
        foreach (var v in variants)
            Assert.Multiple(() =>
            {
                var name = v.GetProperty("name").GetString()!;
                // fp32 variants agree to 1e-3; fp16 ones round every activation (and partial sums) to 11 bits,
                // which a random-weight network amplifies: 5e-2 on probabilities still catches a broken kernel.
                double tolerance = name.Contains("fp16", StringComparison.Ordinal) ? 5e-2 : 1e-3;
                Assert.That(v.GetProperty("latency").GetProperty("medianMs").GetDouble(), Is.GreaterThan(0));
                Assert.That(v.GetProperty("maxAbsDiffVsReference").GetDouble(), Is.LessThanOrEqualTo(tolerance), name);
            });
    }

    [Test]
    public void SkipFlagsLeaveSectionsOut()
    {
        using var dir = new TempDir();
        var json = dir.File("quick.json");
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--runs", "1", "--batches", "1",
            "--no-ort", "--no-variants", "--no-layers", "--json", json);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(report.GetProperty("layers").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(report.GetProperty("variants").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(report.GetProperty("ort").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(report.GetProperty("latency").GetArrayLength(), Is.EqualTo(1));
        });
    }

    [TestCase("nchw", "pointwise_conv_tiled", "depthwise_conv_tiled")]
    [TestCase("nc4hw4", "pointwise_conv_packed", "depthwise_conv_packed")]
    public void LayoutPicksTheProfiledKernels(string layout, string pointwiseKernel, string depthwiseKernel)
    {
        using var dir = new TempDir();
        var json = dir.File("layout.json");
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--runs", "1", "--batches", "1",
            "--no-ort", "--no-variants", "--layout", layout, "--json", json);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        var kernels = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("layers").GetProperty("kernels")
            .EnumerateArray().Select(k => k.GetProperty("kernel").GetString()).ToList();
        Assert.That(kernels, Does.Contain(pointwiseKernel).And.Contain(depthwiseKernel));
        Assert.That(kernels, Does.Not.Contain("layout_convert"), "MobileNetV1 runs NC4HW4 from the stem to the pooling");
    }
}
