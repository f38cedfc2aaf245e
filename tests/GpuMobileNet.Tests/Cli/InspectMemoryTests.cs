using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn inspect --memory` prints a per-layer table and the three totals; the planned arena is within
/// 5% of the theoretical minimum and well under the naive sum.</summary>
public class InspectMemoryTests
{
    [TestCase(1, "gpu")]
    [TestCase(4, "gpu")]
    [TestCase(2, "cpu")]
    public void TotalsAreOrderedAndThePlanIsNearTheMinimum(int batch, string target)
    {
        var r = GmnProcess.Run("inspect", "--model", "mobilenet_v2", "--alpha", "0.5", "--resolution", "128", "--memory", "--batch", batch.ToString(),
            "--for", target);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        long naive = Bytes(r.StdOut, "naive"), planned = Bytes(r.StdOut, "planned arena"), minimum = Bytes(r.StdOut, "theoretical minimum");
        Assert.Multiple(() =>
        {
            Assert.That(r.StdOut, Does.Contain("block_16_project").And.Contain("live bytes"), "per-layer table");
            Assert.That(minimum, Is.GreaterThan(0));
            Assert.That(planned, Is.GreaterThanOrEqualTo(minimum), "no plan beats the peak of live bytes");
            Assert.That(planned, Is.LessThanOrEqualTo(1.05 * minimum), $"planned {planned} vs minimum {minimum}");
            Assert.That(naive, Is.GreaterThan(2 * planned), $"naive {naive} vs planned {planned}");
            // Activation bytes scale with the batch: the 1-sample input alone is 3x128x128 floats.
            Assert.That(minimum, Is.GreaterThan(batch * 3L * 128 * 128 * 4));
        });
    }

    [Test]
    public void ForCpuShowsTheChannelPackedGraph()
    {
        var r = GmnProcess.Run("inspect", "--model", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--fused", "--layers", "--for", "cpu");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        Assert.That(r.StdOut, Does.Contain("Nc4hw4").And.Not.Contain("Fused").And.Not.Contain("LayoutConvert"),
            "the stem writes NC4HW4 and the pooling reads it: no conversion");
        var gpu = GmnProcess.Run("inspect", "--model", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--fused", "--layers");
        Assert.That(gpu.StdOut, Does.Contain("FusedInvertedResidual").And.Not.Contain("Nc4hw4"), "the GPU defaults fuse blocks and stay NCHW");
    }

    [Test]
    public void UnknownTargetIsOneLineError()
    {
        var r = GmnProcess.Run("inspect", "--model", "mobilenet_v2", "--fused", "--for", "tpu");
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr, Does.StartWith("gmn: error: ").And.Contain("tpu"));
    }

    private static long Bytes(string stdout, string label)
    {
        var m = Regex.Match(stdout, "^\\s*" + Regex.Escape(label) + "[^:]*:\\s*([\\d,]+) bytes", RegexOptions.Multiline);
        Assert.That(m.Success, Is.True, $"no '{label}' total in:\n{stdout}");
        return long.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}
