using System.Diagnostics;

namespace GpuMobileNet.Tests.Cli;

/// <summary>Runs the real gmn executable (built next to the tests) as a user would. The time limit only catches a
/// hang: it is far above any run's time on a slow, busy machine, so no test depends on how fast this one is.</summary>
internal static class GmnProcess
{
    /// <summary>A run still going after this long is taken as hung.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(20);

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    /// <summary>Runs gmn with extra environment variables.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gmn.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("GMN_DEBUG");
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HangLimit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gmn {string.Join(' ', args)} did not finish in {HangLimit.TotalMinutes} minutes: a hang");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
