using GpuMobileNet.Bench;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Export;

/// <summary>Exports a graph, runs it in ONNX Runtime and compares with the CPU oracle on the same seeded input.</summary>
internal static class OrtCheck
{
    /// <summary>The agreement the issue asks for between ONNX Runtime and our oracle, fp32, absolute.</summary>
    public const double MaxAbs = 1e-4;

    /// <summary>ORT's intra-op threads in these tests: two, like the machine's two cores and our engine's runs.</summary>
    public const int Threads = 2;

    /// <summary>Asserts ORT's output of the exported graph is within <see cref="MaxAbs"/> of the oracle's,
    /// and returns the oracle output so callers can check it is not degenerate.</summary>
    public static float[] AssertAgrees(ModelGraph graph, int batch, int seed = 7)
    {
        var input = TestData.Uniform(seed, batch * graph.Input.Shape.Elements);
        var expected = ReferenceExecutor.Run(graph, input, batch);
        var actual = RunOrt(graph, input, batch);
        AssertMaxAbs(actual, expected, $"graph '{graph.Name}' batch {batch}: ONNX Runtime vs reference");
        return expected;
    }

    public static float[] RunOrt(ModelGraph graph, float[] input, int batch)
    {
        var s = graph.Input.Shape;
        using var ort = new OrtBaseline(OnnxExporter.ToBytes(graph, batch), Threads);
        return ort.Run(input, batch, s.C, s.H, s.W);
    }

    public static void AssertMaxAbs(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        int worst = 0;
        double worstErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            // NaN compares false everywhere: count it as the worst possible error.
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            if (err > worstErr) { worstErr = err; worst = i; }
        }
        Assert.That(worstErr, Is.LessThanOrEqualTo(MaxAbs),
            $"{what}: max abs error at [{worst}]: got {actual[worst]}, expected {expected[worst]}");
    }

    /// <summary>The graph cut just before its final Softmax, so the raw logits can be compared too: a softmax
    /// over 1000 classes squeezes errors to near nothing.</summary>
    public static ModelGraph Logits(ModelGraph graph)
    {
        Assert.That(graph.Nodes[^1].OpType, Is.EqualTo("Softmax"), $"graph '{graph.Name}' should end in Softmax");
        var nodes = graph.Nodes.Take(graph.Nodes.Count - 1).ToList();
        return new ModelGraph(graph.Name + "_logits", graph.Input, nodes, nodes[^1].Output);
    }
}
