using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GpuMobileNet.Cli.Bench;

/// <summary>ncnn's own benchmark, benchncnn, run as a separate process on one .param: `benchncnn LOOPS THREADS 0 GPU 0
/// param=x.param shape=[W,H,C]` (GPU -1: ncnn's CPU path; 0: its first Vulkan device), from the .param's folder (benchncnn
/// reads param= from the working directory). Its weights are all zero: timing only.</summary>
internal sealed partial class NcnnPeer
{
    private readonly string _program;
    private readonly string[] _prefix;

    /// <param name="program">The executable to start.</param>
    /// <param name="prefix">Arguments before benchncnn's own: "benchncnn" for the peer folder's `run` wrapper.</param>
    private NcnnPeer(string program, string[] prefix)
    {
        _program = program;
        _prefix = prefix;
    }

    /// <summary>What runs benchncnn, for messages.</summary>
    public string Describe() => string.Join(' ', [_program, .. _prefix]);

    /// <summary>benchncnn from --peer-path (benchncnn itself, or a wrapper such as the peer folder's `run` that takes the
    /// tool's name first), else from PATH.</summary>
    /// <exception cref="ArgumentException">Not found, with what to do about it.</exception>
    public static NcnnPeer Locate(string? peerPath)
    {
        if (peerPath is not null)
        {
            if (!File.Exists(peerPath)) throw new UsageException($"--peer-path '{peerPath}': no such file (benchncnn, or a wrapper that runs `WRAPPER benchncnn ARGS`)");
            var full = Path.GetFullPath(peerPath);
            return Path.GetFileName(full).StartsWith("benchncnn", StringComparison.Ordinal) ? new(full, []) : new(full, ["benchncnn"]);
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "benchncnn"))) return new(Path.Combine(dir, "benchncnn"), []);
        throw new ArgumentException("benchncnn not found on PATH: pass --peer-path (benchncnn, or a wrapper that runs `WRAPPER benchncnn ARGS`); the README says how to build it from ncnn's sources");
    }

    /// <summary>Runs <paramref name="loops"/> timed loops of <paramref name="param"/> on <paramref name="gpu"/> (-1: CPU).</summary>
    /// <param name="shape">Input width, height and channels; null: benchncnn takes it from the .param's Input layer.</param>
    /// <exception cref="InvalidOperationException">benchncnn failed, with its message.</exception>
    public NcnnTiming Run(string param, (int W, int H, int C)? shape, int gpu, int loops, int threads)
    {
        var info = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(param))!,
        };
        string[] args = [.. _prefix, Text(loops), Text(threads), "0", Text(gpu), "0", "param=" + Path.GetFileName(param)];
        foreach (var a in shape is { } s ? [.. args, $"shape=[{s.W},{s.H},{s.C}]"] : args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {_program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        string output = stdout.Result + stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"benchncnn on {Path.GetFileName(param)} exited with code {process.ExitCode}: {LastLine(output)}");
        return Parse(output, Path.GetFileName(param));
    }

    /// <summary>Reads benchncnn's "NAME  min = A  max = B  avg = C" line for <paramref name="name"/>; the lines it prints
    /// when a .param cannot be read or run (exit code 0 all the same, times 0) are failures.</summary>
    /// <exception cref="InvalidOperationException">A failure line, or no timing line.</exception>
    public static NcnnTiming Parse(string output, string name)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.FirstOrDefault(FailureLine().IsMatch) is { } failure)
            throw new InvalidOperationException($"benchncnn could not run {name}: {failure}");
        foreach (var line in lines)
            if (TimingLine().Match(line) is { Success: true } m && m.Groups["name"].Value == name)
                return new NcnnTiming(Number(m, "min"), Number(m, "max"), Number(m, "avg"), DeviceName(lines));
        throw new InvalidOperationException($"benchncnn printed no timing line for {name}: {LastLine(output)}");
    }

    /// <summary>The input size a .param's Input layer declares (0=w 1=h 2=c), or null when it declares none.</summary>
    public static (int W, int H, int C)? InputShape(string param)
    {
        var input = File.ReadLines(param).FirstOrDefault(l => l.StartsWith("Input ", StringComparison.Ordinal));
        var values = (input ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('='))
            .Where(kv => kv.Length == 2 && kv[0] is "0" or "1" or "2").ToDictionary(kv => kv[0], kv => int.Parse(kv[1], CultureInfo.InvariantCulture));
        return values.Count == 3 ? (values["0"], values["1"], values["2"]) : null;
    }

    /// <summary>The Vulkan device benchncnn reports ("[0 llvmpipe (...)]  queueC=..."), or null on its CPU path.</summary>
    private static string? DeviceName(string[] lines) =>
        lines.Select(l => DeviceLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups["device"].Value;

    private static double Number(Match m, string group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "(no output)";

    [GeneratedRegex(@"^(?<name>\S+)\s+min\s*=\s*(?<min>[0-9.]+)\s+max\s*=\s*(?<max>[0-9.]+)\s+avg\s*=\s*(?<avg>[0-9.]+)$")]
    private static partial Regex TimingLine();

    [GeneratedRegex(@"failed|not ready|shape empty|error|invalid", RegexOptions.IgnoreCase)]
    private static partial Regex FailureLine();

    [GeneratedRegex(@"^\[\d+ (?<device>.+?)\]\s+queueC=")]
    private static partial Regex DeviceLine();
}

/// <summary>benchncnn's figures for one run, in milliseconds per inference; <see cref="Device"/> is the Vulkan device it
/// named (null on its CPU path).</summary>
internal sealed record NcnnTiming(double MinMs, double MaxMs, double AvgMs, string? Device);
