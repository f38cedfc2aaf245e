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

    /// <summary>The timed loop really runs as many times as asked (a loop folded away or cut short would give other
    /// values): every lane's result equals the same FMA chain computed on the CPU, for two loop lengths. No timing is
    /// asserted: whether the time grows with the loop is for `gmn bench` to show, not for a test on a busy machine.</summary>
    [TestCase(1024)]
    [TestCase(4096)]
    public void EveryLaneComputesTheWholeLoop(int iterations)
    {
        var lanes = new float[DevicePeak.Lanes];
        DevicePeak.MeasureMilliseconds(Device, iterations, runs: 1, laneResults: lanes);
        for (int gid = 0; gid < lanes.Length; gid += 37)
        {
            // shaders/fma_peak.comp with a zero bias: eight accumulators seed + k/10, each multiplied by 0.9999 per trip.
            float seed = (gid & 7) * 1e-3f, sum = 0;
            for (int k = 0; k < 8; k++)
            {
                float a = seed + k * 0.1f;
                for (int i = 0; i < iterations; i++) a = MathF.FusedMultiplyAdd(a, 0.9999f, 0f);
                sum += 4 * a;
            }
            Assert.That(lanes[gid], Is.EqualTo(sum).Within(1e-4).Percent, $"lane {gid}, {iterations} iterations");
        }
    }
}
