using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

/// <summary>The target: the planned arena is within 5% of the theoretical minimum for every built-in model,
/// with the passes as a GPU runs them (blocks fused), as a CPU device runs them (no block fusion, channel-packed,
/// so with layout conversions), and with every pass off.</summary>
public class ReusePlannerTargetTests
{
    private static readonly Dictionary<string, PassOptions> Passes = new()
    {
        ["gpu"] = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true),
        ["cpu"] = new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = true },
        ["off"] = PassOptions.None,
    };

    private static IEnumerable<TestCaseData> Models()
    {
        foreach (var passes in Passes.Keys)
        {
            foreach (var alpha in new[] { 0.25, 0.5, 0.75, 1.0 })
                foreach (var res in new[] { 128, 224 })
                    yield return new TestCaseData("mobilenet_v1", alpha, res, passes);
            foreach (var alpha in new[] { 0.35, 0.5, 0.75, 1.0, 1.4 })
                foreach (var res in new[] { 96, 224 })
                    yield return new TestCaseData("mobilenet_v2", alpha, res, passes);
        }
    }

    [TestCaseSource(nameof(Models))]
    public void PlannedArenaIsWithinFivePercentOfTheMinimum(string model, double alpha, int resolution, string passes)
    {
        var g = PassPipeline.Apply(ModelZoo.Create(model, alpha, resolution, 1000, WeightInit.Random(0)), Passes[passes]);
        foreach (int batch in new[] { 1, 8 })
        {
            var report = MemoryReport.Create(g, ReusePlanner.Plan(g, batch));
            TestContext.Out.WriteLine($"{g.Name} passes={passes} batch={batch}: naive {Mb(report.NaiveBytes)} MB, " +
                $"planned {Mb(report.PlannedBytes)} MB, minimum {Mb(report.TheoreticalMinimumBytes)} MB, " +
                $"planned/minimum {report.PlannedOverMinimum:F4}");
            Assert.That(report.PlannedBytes, Is.GreaterThanOrEqualTo(report.TheoreticalMinimumBytes), $"batch {batch}: below the lower bound");
            Assert.That(report.PlannedOverMinimum, Is.LessThanOrEqualTo(1.05), $"batch {batch}");
            Assert.That(report.PlannedBytes, Is.LessThan(report.NaiveBytes), $"batch {batch}: no reuse at all");
        }
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
}
