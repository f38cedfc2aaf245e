using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

/// <summary>What a randomly initialised classifier must produce for GPU-vs-CPU comparisons to mean anything:
/// finite probabilities that sum to 1, spread over classes, and different for different inputs.</summary>
internal static class ModelRunChecks
{
    public static void AssertHealthySoftmax(ModelGraph g, int classes)
    {
        var input = TestData.Uniform(21, 2 * g.Input.Shape.Elements);
        var output = ReferenceExecutor.Run(g, input, 2);
        Assert.That(output, Has.Length.EqualTo(2 * classes));
        for (int n = 0; n < 2; n++)
        {
            var p = output.Skip(n * classes).Take(classes).Select(v => (double)v).ToArray();
            Assert.That(p, Is.All.Matches<double>(double.IsFinite), $"sample {n}: non-finite probability");
            Assert.That(p.Sum(), Is.EqualTo(1.0).Within(1e-5), $"sample {n}: sum");
            Assert.That(p.Max(), Is.LessThan(0.999), $"sample {n}: softmax saturated");
            double mean = p.Average();
            Assert.That(Math.Sqrt(p.Average(v => (v - mean) * (v - mean))), Is.GreaterThan(1e-6), $"sample {n}: flat output");
        }
        Assert.That(output.Take(classes), Is.Not.EqualTo(output.Skip(classes)), "two different inputs gave the same output");
    }
}
