using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

/// <summary>Issue 17 item 4: for every built-in network at every width of <see cref="ModelZoo.Variants"/> (what `gmn zoo`
/// and `gmn inspect --memory` report), the planned arena is within 5% of the theoretical minimum (the peak of bytes live
/// at once), with the passes as a CPU device runs them (channel-packed, no block fusion) and as a GPU does, batch 1 and 4.
/// The plan is deterministic: no device, no timing.</summary>
public class ZooPlannerTargetTests
{
    private static IEnumerable<TestCaseData> Variants() =>
        from v in ModelZoo.Variants
        from cpu in new[] { true, false }
        select new TestCaseData(v.Model, v.Alpha, v.Resolution, cpu).SetName($"Zoo planned <= 1.05 x minimum: {v.Model} {v.Alpha} {v.Resolution} {(cpu ? "cpu" : "gpu")}");

    [TestCaseSource(nameof(Variants))]
    public void PlannedArenaIsWithinFivePercentOfTheMinimum(string model, double alpha, int resolution, bool cpu)
    {
        var graph = ModelZoo.Create(model, alpha, resolution, ModelZoo.DefaultClasses(model), WeightInit.Random(1));
        var g = PassPipeline.Apply(graph, new PassOptions().ResolveFor(cpuDevice: cpu));
        foreach (int batch in new[] { 1, 4 })
        {
            var report = MemoryReport.Create(g, ReusePlanner.Plan(g, batch, InPlacePolicy.Default));
            TestContext.Out.WriteLine($"{g.Name} batch {batch}: planned {report.PlannedBytes} minimum {report.TheoreticalMinimumBytes} " +
                $"planned/minimum {report.PlannedOverMinimum:F4}");
            Assert.That(report.PlannedBytes, Is.GreaterThanOrEqualTo(report.TheoreticalMinimumBytes), $"batch {batch}: below the lower bound");
            Assert.That(report.PlannedOverMinimum, Is.LessThanOrEqualTo(1.05), $"{g.Name} batch {batch}");
        }
    }
}
