using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

public class MemoryReportTests
{
    [TestCase(1)]
    [TestCase(4)]
    public void TotalsAgreeWithThePlannersAndTheLayers(int batch)
    {
        var g = PassPipeline.Apply(MobileNetV2.Create(0.35, 96, 10), new PassOptions());
        var plan = ReusePlanner.Plan(g, batch);

        var report = MemoryReport.Create(g, plan);

        Assert.That(report.NaiveBytes, Is.EqualTo(NaivePlanner.Plan(g, batch).ArenaBytes));
        Assert.That(report.PlannedBytes, Is.EqualTo(plan.ArenaBytes));
        Assert.That(report.Layers.Select(l => l.Name), Is.EqualTo(g.Nodes.Select(n => n.Name)));
        Assert.That(report.TheoreticalMinimumBytes, Is.EqualTo(report.Layers.Max(l => l.LiveBytes)),
            "before and after the nodes only the input and the output are live, which some node's step also holds");
        Assert.That(report.Layers.Where(l => l.SharesInput), Is.Not.Empty);
        Assert.That(report.Layers.All(l => l.OutputBytes <= l.LiveBytes));
        Assert.That(report.PlannedOverMinimum, Is.EqualTo((double)report.PlannedBytes / report.TheoreticalMinimumBytes));
        Assert.That(report.Batch, Is.EqualTo(batch));
        Assert.That(report.InputBytes, Is.EqualTo(MemoryPlan.Align(3 * 96 * 96 * batch) * 4));
    }

    [Test]
    public void NaivePlanIsMeasuredToo()
    {
        var g = MobileNetV1.Create(0.25, 128, 10);
        var report = MemoryReport.Create(g, NaivePlanner.Plan(g, 1));
        Assert.That(report.PlannedBytes, Is.EqualTo(report.NaiveBytes));
        Assert.That(report.NaiveOverPlanned, Is.EqualTo(1.0));
        Assert.That(report.PlannedOverMinimum, Is.GreaterThan(2.0));
    }

    [Test]
    public void PlanForAnotherGraphIsRejected()
    {
        var g = MobileNetV1.Create(0.25, 128, 10);
        var other = MobileNetV1.Create(0.25, 128, 10);
        Assert.That(() => MemoryReport.Create(g, ReusePlanner.Plan(other, 1)),
            Throws.ArgumentException.With.Message.Contains("different graph"));
    }
}
