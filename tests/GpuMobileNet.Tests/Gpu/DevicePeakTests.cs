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

    /// <summary>Four times the loop takes about four times as long (a kernel whose loop was folded away, or that
    /// only measures launch overhead, stays near 1x). Other processes can slow one of the measurements, so it is
    /// tried up to three times: the check fails only when no attempt shows the ratio.</summary>
    [Test]
    public void QuadruplingTheIterationsRoughlyQuadruplesTheTime()
    {
        var attempts = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            double single = DevicePeak.MeasureMilliseconds(Device, iterations: 1024, runs: 5);
            double four = DevicePeak.MeasureMilliseconds(Device, iterations: 4096, runs: 5);
            attempts.Add($"1024 iterations: {single:F3} ms, 4096: {four:F3} ms (x{four / single:F2})");
            TestContext.Out.WriteLine(attempts[^1]);
            if (four / single is >= 2.5 and <= 6.5) return;
        }
        Assert.Fail("time did not grow about 4x with the loop: " + string.Join("; ", attempts));
    }
}
