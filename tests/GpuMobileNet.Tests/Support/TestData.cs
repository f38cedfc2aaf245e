using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Support;

/// <summary>Seeded random tensors and output comparisons shared by the reference and pass tests.</summary>
internal static class TestData
{
    public static float[] Uniform(int seed, int count, double min = -1.0, double max = 1.0)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(min + (max - min) * rng.NextDouble());
        return a;
    }

    /// <summary>Asserts element-wise closeness relative to the larger of the element and the output's peak
    /// magnitude (so values near zero after cancellation do not demand impossible precision). Prints the worst index.</summary>
    public static void AssertClose(float[] actual, float[] expected, double relTol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        double peak = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        int worst = -1;
        double worstErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Max(Math.Abs((double)expected[i]), peak), 1e-30);
            if (err > worstErr || double.IsNaN(err)) { worstErr = double.IsNaN(err) ? double.PositiveInfinity : err; worst = i; }
        }
        Assert.That(worstErr, Is.LessThanOrEqualTo(relTol),
            worst < 0 ? what : $"{what}: worst at [{worst}] got {actual[worst]} expected {expected[worst]} (peak {peak})");
    }

    /// <summary>Runs both graphs on the same random batch of two and asserts the outputs agree to 1e-5.</summary>
    public static void AssertSameOutput(GpuMobileNet.Graph.ModelGraph before, GpuMobileNet.Graph.ModelGraph after, int seed = 99)
    {
        var input = Uniform(seed, 2 * before.Input.Shape.Elements);
        var expected = ReferenceExecutor.Run(before, input, 2);
        var actual = ReferenceExecutor.Run(after, input, 2);
        AssertClose(actual, expected, 1e-5, $"graph '{before.Name}' before vs after the pass");
    }

    public static int Count<T>(GpuMobileNet.Graph.ModelGraph g) => g.Nodes.OfType<T>().Count();
}
