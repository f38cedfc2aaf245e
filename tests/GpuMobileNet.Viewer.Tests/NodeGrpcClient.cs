using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>Runs scripts/kserve-grpc.js: @grpc/grpc-js with @grpc/proto-loader loading viewer/Grpc/grpc_predict_v2.proto, a
/// gRPC client we did not write, installed by scripts/setup into models/cache/grpc. Returns the JSON it prints.</summary>
internal static class NodeGrpcClient
{
    private static string Modules => Require(Path.Combine(ViewerServer.RepoRoot, "models", "cache", "grpc", "node_modules", "@grpc", "grpc-js"), "..", "..");
    private static string Script => Path.Combine(ViewerServer.RepoRoot, "scripts", "kserve-grpc.js");
    private static string Proto => Path.Combine(ViewerServer.RepoRoot, "viewer", "Grpc", "grpc_predict_v2.proto");

    /// <summary>One call (or <paramref name="copies"/> at once, every <paramref name="cancelEvery"/>-th cancelled after
    /// <paramref name="cancelAfterMs"/>): {code, details} or {code: "OK", response}; an array for several copies.</summary>
    public static JsonNode Call(Uri grpc, string method, JsonObject request, int copies = 1, int cancelEvery = 0, int cancelAfterMs = 0)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, request.ToJsonString());
            return Run("call", grpc.Authority, method, file, "--copies", copies.ToString(), "--cancel-every", cancelEvery.ToString(),
                "--cancel-after-ms", cancelAfterMs.ToString());
        }
        finally { File.Delete(file); }
    }

    /// <summary>Sends bytes that are no protobuf message as a ModelInfer request.</summary>
    public static JsonNode Malformed(Uri grpc) => Run("malformed", grpc.Authority);

    private static JsonNode Run(params string[] args)
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Script, .. args, "--modules", Modules, "--proto", Proto]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) // only a hang guard
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("kserve-grpc.js did not finish within 5 minutes: a hang");
        }
        Assert.That(process.ExitCode, Is.Zero, () => $"kserve-grpc.js failed:\n{stderr.Result}");
        return JsonNode.Parse(stdout.Result)!;
    }

    private static string Require(string path, params string[] up)
    {
        if (!Directory.Exists(path)) Assert.Fail($"{path} is missing: run scripts/setup");
        return Path.GetFullPath(Path.Combine([path, .. up]));
    }
}
