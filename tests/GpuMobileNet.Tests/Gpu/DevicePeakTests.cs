using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>The FMA peak kernel measures arithmetic throughput: a finite positive rate, and a time that grows
/// with the loop length (a kernel dominated by launch overhead or optimised away would not).</summary>
public class DevicePeakTests : GpuTest
{
    [Test]
    public void PeakIsPositiveAndFinite()
    {
        double gflops = DevicePeak.MeasureGflops(Device, iterations: 1024, runs: 2);
        TestContext.Out.WriteLine($"FMA peak on {Device}: {gflops:F1} GFLOP/s");
        Assert.That(gflops, Is.GreaterThan(0).And.LessThan(1e6), $"peak {gflops} GFLOP/s");
    }

    [Test]
    public void DoublingTheIterationsRoughlyDoublesTheTime()
    {
        double single = DevicePeak.MeasureMilliseconds(Device, iterations: 1024, runs: 5);
        double twice = DevicePeak.MeasureMilliseconds(Device, iterations: 2048, runs: 5);
        TestContext.Out.WriteLine($"1024 iterations: {single:F3} ms, 2048: {twice:F3} ms");
        Assert.That(twice / single, Is.InRange(1.6, 2.5), $"1024 iterations: {single:F3} ms, 2048: {twice:F3} ms");
    }
}
