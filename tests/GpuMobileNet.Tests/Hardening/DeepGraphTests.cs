using System.Diagnostics;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>A model.json with a 20,000-layer chain goes through everything that walks a graph (import, passes,
/// liveness and planning, memory report, statistics, ONNX export, the CPU reference) without a stack overflow, and
/// still computes the right numbers. The recursive resolve in the importer used to abort the process here.</summary>
public class DeepGraphTests
{
    private const int Units = 6700; // conv + BatchNorm + ReLU each: 20,100 layers

    [Test]
    public void TwentyThousandLayerChainLoadsPlansAndRuns()
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(3, 3, 4);
        for (int i = 0; i < Units; i++)
            model.PointwiseIdentity($"conv{i}", 1f).BatchNorm($"bn{i}").Relu($"relu{i}");
        string json = model.WriteTo(dir);
        var times = new List<string>();
        var clock = Stopwatch.StartNew();
        T Timed<T>(string what, Func<T> f) { clock.Restart(); var r = f(); times.Add($"{what} {clock.ElapsedMilliseconds} ms"); return r; }

        var g = Timed("load", () => TfjsLayersImporter.Load(json));
        Assert.That(g.Nodes, Has.Count.EqualTo(3 * Units));
        var fused = Timed("passes (gpu)", () => PassPipeline.Apply(g, new PassOptions()));
        var packed = Timed("passes (cpu)", () => PassPipeline.Apply(g, new PassOptions().ResolveFor(cpuDevice: true)));
        Assert.That(fused.Nodes, Has.Count.EqualTo(Units), "conv+BN+ReLU fold into one conv each");
        var plan = Timed("plan", () => ReusePlanner.Plan(packed, 2));
        var report = Timed("memory report", () => MemoryReport.Create(packed, plan));
        Assert.That(report.PlannedBytes, Is.LessThanOrEqualTo(report.NaiveBytes / 100), "a chain reuses memory");
        Timed("stats", () => GraphStats.Compute(g));
        Timed("onnx", () => OnnxExporter.ToBytes(fused));

        // Every unit scales by 1 / sqrt(1 + epsilon) and keeps the positive part: the output is known in closed form.
        // The folded weight is that scale rounded to float32 (epsilon too); the rest is per-step rounding.
        var input = TestData.Uniform(7, 2 * g.Input.Shape.Elements);
        var output = Timed("reference (fused)", () => ReferenceExecutor.Run(fused, input, 2));
        double scale = Math.Pow((float)(1 / Math.Sqrt(1 + (double)1e-3f)), Units);
        var expected = input.Select(v => (float)(Math.Max(v, 0) * scale)).ToArray();
        TestData.AssertClose(output, expected, 1e-4, "20,000-layer chain");
        TestContext.Out.WriteLine(string.Join(", ", times));
    }

    [Test]
    public void CycleIsNamed()
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 1).Relu("a").Relu("b");
        var json = model.Json();
        // a reads b, b reads a.
        json["modelTopology"]!["config"]!["layers"]![1]!["inbound_nodes"] = System.Text.Json.Nodes.JsonNode.Parse("[[[\"b\", 0, 0, {}]]]");
        Assert.That(() => TfjsLayersImporter.Load(model.WriteTo(dir, json)),
            Throws.TypeOf<GpuMobileNet.Import.ModelLoadException>().With.Message.Contains("cycle"));
    }
}
