using System.Text.RegularExpressions;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>Keeps issue 23's item 7 true: every file under tests/GpuMobileNet.Tests/Kernels that runs a session checks which
/// kernel ran (<see cref="Ran.Kernel(Runtime.InferenceSession, GpuMobileNet.Kernels.KernelId, string?)"/>, or its own
/// assertion on the dispatches' shaders), so a pass that routes around the kernel under test cannot go unnoticed.</summary>
public class KernelTestsCheckWhatRanTests
{
    private static readonly Regex RunsASession = new(@"GpuVsCpu\.Check\(|InferenceSession\.Create\(");
    private static readonly Regex ChecksWhatRan = new(@"Ran\.Kernel\(|\.Shader\b");

    [Test]
    public void EveryKernelTestFileThatRunsASessionChecksWhichKernelRan()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "GpuMobileNet.Tests", "Kernels");
        var running = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => RunsASession.IsMatch(File.ReadAllText(f))).ToList();
        // Guards the scan itself: a moved folder or a renamed helper must not make it pass on nothing.
        Assert.That(running, Has.Count.GreaterThanOrEqualTo(30), $"session-running kernel test files found in {folder}");
        var silent = running.Where(f => !ChecksWhatRan.IsMatch(File.ReadAllText(f))).Select(Path.GetFileName);
        Assert.That(silent, Is.Empty, "these kernel tests never check which kernel ran: add Ran.Kernel(session, XKernel.Id, \"layer\")");
    }
}
