using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>With GMN_VALIDATION=1 every validation message is printed to stderr as it arrives and fails the command
/// (exit 3), so scripts and scripts/device-check count them for real. A message is provoked on purpose to prove it.</summary>
public class ValidationOutputTests
{
    private static readonly Dictionary<string, string> Validation = new() { ["GMN_VALIDATION"] = "1" };

    [Test]
    public void ProvokedMessageIsPrintedAndFailsTheCommand()
    {
        var r = GmnProcess.RunWith(Validation, "devices", "--provoke-validation-message");
        var vulkanLines = r.StdErr.Split('\n').Count(l => l.StartsWith("vulkan: ", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(r.ExitCode, Is.EqualTo(3), r.StdErr);
            Assert.That(vulkanLines, Is.GreaterThanOrEqualTo(1), r.StdErr);
            Assert.That(r.StdErr, Does.Contain("Vulkan validation message(s)"));
        });
    }

    [Test]
    public void CleanRunUnderValidationPrintsNothingAndSucceeds()
    {
        var r = GmnProcess.RunWith(Validation, "devices");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        Assert.That(r.StdErr, Does.Not.Contain("vulkan: "));
    }

    [Test]
    public void WithoutValidationTheProvocationIsHarmless()
    {
        var r = GmnProcess.Run("devices", "--provoke-validation-message");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
    }
}
