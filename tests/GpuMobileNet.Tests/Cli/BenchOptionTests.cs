using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>Bad `gmn bench` options fail at once with one line naming the option, before any work starts. Kept apart
/// from <see cref="BenchCommandTests"/> so a failure of its one-time bench cannot fail these.</summary>
public class BenchOptionTests
{
    [Test]
    public void BadLayoutIsOneLineError()
    {
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v2", "--layout", "nhwc");
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr, Does.StartWith("gmn: error: ").And.Contain("nhwc"));
    }

    [Test]
    public void BadBatchListIsOneLineError()
    {
        var r = GmnProcess.Run("bench", "--model", "mobilenet_v2", "--batches", "1,zero");
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr, Does.StartWith("gmn: error: ").And.Contain("zero"));
    }
}
