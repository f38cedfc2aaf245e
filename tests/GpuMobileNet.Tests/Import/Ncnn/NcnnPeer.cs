using System.Diagnostics;
using System.Text.Json;
using GpuMobileNet.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>ncnn itself, as the reference: the peer folder (shared/peers/ncnn beside the checkout) with benchncnn's 35
/// .param files and <c>ncnn_run</c>, which runs a model on ncnn's CPU path and prints every output blob as JSON.
/// A missing peer folder fails the test (never skips).</summary>
internal static class NcnnPeer
{
    public static string Folder { get; } = Find();

    public static string Param(string model) => Path.Combine(Folder, "params", model + ".param");

    /// <summary>Writes seeded weights for <paramref name="param"/> and a seeded planar input into <paramref name="dir"/>.</summary>
    public static (string Bin, string Input, float[] Data) Prepare(TempDir dir, string param, int channels, int w, int h, int seed)
    {
        var bin = dir.File("weights.bin");
        NcnnImporter.WriteRandomWeights(param, bin, seed);
        var data = Gpu.GpuVsCpu.RandomArray(channels * h * w, seed + 100);
        var input = dir.File("input.f32");
        File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        return (bin, input, data);
    }

    /// <summary>ncnn's outputs (blob name -> values) for the model on the input file: the blobs nothing reads, or
    /// those <paramref name="outputs"/> names.</summary>
    public static Dictionary<string, float[]> Run(string param, string bin, string input, int w, int h, int c, IReadOnlyList<string>? outputs = null)
    {
        string[] args = [param, bin, input, $"{w},{h},{c}"];
        using var json = JsonDocument.Parse(RunJson(outputs is null ? args : [.. args, "--out", string.Join(',', outputs)]));
        return json.RootElement.EnumerateObject().ToDictionary(o => o.Name,
            o => o.Value.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }

    /// <summary>The peer's `run` wrapper.</summary>
    public static string RunScript => Path.Combine(Folder, "run");

    /// <summary>What `ncnn_run` prints (every output blob as JSON) for <paramref name="args"/>; a failure or a hang fails the test.</summary>
    public static string RunJson(params string[] args)
    {
        var psi = new ProcessStartInfo(RunScript) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("ncnn_run");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120))) { process.Kill(); Assert.Fail("ncnn_run hangs"); }
        Assert.That(process.ExitCode, Is.EqualTo(0), $"ncnn_run failed: {stderr.Result}");
        return stdout.Result;
    }

    // GMN_NCNN_PEER_DIR names the peer folder; otherwise shared/peers/ncnn above the checkout.
    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("GMN_NCNN_PEER_DIR") is { Length: > 0 } given)
            return File.Exists(Path.Combine(given, "run")) ? given : Fail($"GMN_NCNN_PEER_DIR '{given}' has no `run` wrapper");
        for (var dir = new DirectoryInfo(TestPaths.RepoRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "peers", "ncnn");
            if (File.Exists(Path.Combine(candidate, "run"))) return candidate;
        }
        return Fail($"no shared/peers/ncnn above {TestPaths.RepoRoot}: the ncnn peer (ncnn_run and the .param files) is missing");
    }

    private static string Fail(string message)
    {
        Assert.Fail(message);
        return "";
    }
}
