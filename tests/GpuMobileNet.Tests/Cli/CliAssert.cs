using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>What every bad-input test of `gmn` asserts: a non-zero exit, exactly one line on stderr starting
/// "gmn: error: ", no stack trace, and the culprit named.</summary>
internal static class CliAssert
{
    public static void OneLineError(GmnProcess.Result r, params string[] mentions)
    {
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(r.ExitCode, Is.Not.Zero, "exit code");
            Assert.That(lines, Has.Length.EqualTo(1), "stderr:\n" + r.StdErr);
            Assert.That(r.StdErr, Does.StartWith("gmn: error: "));
            Assert.That(r.StdErr, Does.Not.Contain("   at "), "stack trace leaked");
            foreach (var m in mentions) Assert.That(r.StdErr, Does.Contain(m));
        });
    }
}
