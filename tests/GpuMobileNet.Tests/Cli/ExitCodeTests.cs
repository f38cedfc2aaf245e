using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>Scripts tell outcomes apart by exit code: 0 ok, 1 the work failed, 2 the command line is wrong, 3 Vulkan
/// validation messages (the last is checked by the devices command's test).</summary>
public class ExitCodeTests
{
    [TestCase("bench", "--model", "mobilenet_v2", "--bogus")]
    [TestCase("detect")]
    [TestCase("inspect", "--model", "mobilenet_v1", "--alpha", "9")]
    [TestCase("bench", "--model", "mobilenet_v2", "--batches", "1,zero")]
    [TestCase("nosuchcommand")]
    public void WrongCommandLineExitsTwo(params string[] args)
    {
        var r = GmnProcess.Run(args);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.StdErr);
        Assert.That(r.StdErr, Does.StartWith("gmn: "));
        Assert.That(r.StdErr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void FailedWorkExitsOne()
    {
        var r = GmnProcess.Run("classify", "--model", "mobilenet_v1", "does-not-exist.png");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.StdErr);
        Assert.That(r.StdErr, Does.StartWith("gmn: error: ").And.Contain("does-not-exist.png"));
    }

    [Test]
    public void HelpExitsZero()
    {
        var r = GmnProcess.Run("--help");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        Assert.That(r.StdOut, Does.Contain("classify"));
    }
}
