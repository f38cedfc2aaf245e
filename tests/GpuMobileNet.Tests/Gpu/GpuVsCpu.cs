using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>Runs a graph on the GPU and on the CPU oracle with the same random input and compares:
/// every element must satisfy |gpu - cpu| &lt;= abs + rel * |cpu|.</summary>
public static class GpuVsCpu
{
    public static float[] RandomArray(int count, int seed, float scale = 1f)
    {
        var rnd = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rnd.NextDouble() * 2 - 1) * scale;
        return a;
    }

    /// <summary>Returns the largest absolute difference; fails with every parameter named when out of tolerance.</summary>
    public static double Check(VulkanDevice device, ModelGraph graph, int batch, double abs, double rel, int seed = 7,
        SessionOptions? options = null, string? what = null, float inputScale = 1f,
        Action<InferenceSession>? inspect = null)
    {
        var input = RandomArray(batch * graph.Input.Shape.Elements, seed, inputScale);
        using var session = InferenceSession.Create(graph, device, (options ?? new SessionOptions()) with { Batch = batch });
        inspect?.Invoke(session);
        var gpu = session.Run(input);
        var cpu = ReferenceExecutor.Run(graph, input, batch);
        return AssertClose(gpu, cpu, abs, rel, what ?? $"graph '{graph.Name}' batch {batch}: {Describe(graph)}");
    }

    public static double AssertClose(float[] actual, float[] expected, double abs, double rel, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(actual[i]) || d > abs + rel * Math.Abs(expected[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance abs {abs} + rel {rel})");
            if (d > worst) { worst = d; worstAt = i; }
        }
        TestContext.Out.WriteLine($"{what}: max |diff| {worst:E2} at {worstAt}");
        return worst;
    }

    private static string Describe(ModelGraph g) => string.Join("; ", g.Nodes.Select(n => $"{n} -> {n.Output.Shape}"));
}
