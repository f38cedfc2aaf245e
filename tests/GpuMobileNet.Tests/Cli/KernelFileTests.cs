using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn bench --kernel-file`: a user's copy of a kernel is compiled at run time and timed against ours on the
/// same layers; a variant with wrong results fails the command, and one that does not compile gives one line with the
/// compiler's message.</summary>
public class KernelFileTests
{
    private static readonly string[] Quick = ["bench", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64", "--classes", "5", "--runs", "2", "--warmup", "1"];
    private static string Original => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "shaders", "softmax.comp"));

    private static GmnProcess.Result Bench(string source)
    {
        using var dir = new TempDir();
        var file = dir.File("softmax.comp");
        File.WriteAllText(file, source);
        return GmnProcess.Run([.. Quick, "--kernel-file", file]);
    }

    [Test]
    public void UnchangedCopyRunsAndAgrees()
    {
        var r = Bench(Original);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);
        Assert.That(r.StdOut, Does.Contain("softmax: ours vs softmax.comp").And.Contain("total").And.Contain("max abs diff vs the CPU reference"));
    }

    [Test]
    public void WrongResultsFailTheCommand()
    {
        var broken = Original.Replace("/ total)", "/ (2.0 * total))");
        Assert.That(broken, Is.Not.EqualTo(Original), "the mutation applies");
        var r = Bench(broken);
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr, Does.Contain("differs from the CPU reference"));
    }

    [Test]
    public void CompileErrorIsOneLineWithTheCompilersMessage()
    {
        var r = Bench(Original.Replace("float total = partial[0];", "float total = partial[0]"));
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(lines, Has.Length.EqualTo(1), r.StdErr);
        Assert.That(r.StdErr, Does.StartWith("gmn: error: ").And.Contain("softmax.comp").And.Contain("error"));
    }

    [Test]
    public void UnknownKernelNameIsRefused()
    {
        using var dir = new TempDir();
        var file = dir.File("my_kernel.comp");
        File.WriteAllText(file, Original);
        var r = GmnProcess.Run([.. Quick, "--kernel-file", file]);
        Assert.That(r.ExitCode, Is.Not.Zero);
        Assert.That(r.StdErr, Does.Contain("'my_kernel' is not a kernel of the engine"));
    }
}
