using System.Diagnostics;
using GpuMobileNet.Tests.Cli;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>Runs a build tool or a built program (dotnet publish/pack/run, gcc, a C sample) with only a hang guard.</summary>
internal static class ChildProcess
{
    public sealed record Result(int Code, string StdOut, string StdErr)
    {
        public string Out => StdOut + StdErr;
    }

    public static Result Run(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) info.ArgumentList.Add(a);
        // The test host's MSBuild variables would point a nested dotnet build at the test run's own SDK state.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(GmnProcess.HangLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish in {GmnProcess.HangLimit.TotalMinutes} minutes: a hang");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The top-5 rows of `gmn classify`'s table (label, probability printed with 4 decimals).</summary>
    public static List<(string Label, double P)> CliTopFive(string photo)
    {
        var cli = GmnProcess.Run("classify", photo);
        Assert.That(cli.ExitCode, Is.Zero, cli.StdErr);
        return System.Text.RegularExpressions.Regex.Matches(cli.StdOut, @"│\s*(\S[^│]*?)\s*│\s*([0-9]+\.[0-9]+)\s*│")
            .Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>Lines "label&lt;TAB&gt;probability" as the samples print them.</summary>
    public static List<(string Label, double P)> TabbedTopFive(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Select(p => (p[0], double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
}
