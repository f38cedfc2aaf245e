using System.Diagnostics;
using System.Text.Json;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn export-hlsl` writes one HLSL file per specialised kernel, the weights and a manifest; every file compiles
/// back with glslc's HLSL front end, and the manifest agrees with a session of the same model built here.</summary>
public class ExportHlslCommandTests : GpuTest
{
    [Test]
    public void WritesKernelsThatCompileAndAManifestThatMatchesTheSession()
    {
        using var dir = new TempDir();
        var r = GmnProcess.Run("export-hlsl", "--model", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--classes", "10", "--out", dir.Path);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr + r.StdOut);
        using var manifest = JsonDocument.Parse(File.ReadAllText(dir.File("manifest.json")));
        var root = manifest.RootElement;

        // The same model (seed 1 is the CLI's default) planned here on the same kind of device.
        using var session = InferenceSession.Create(ModelZoo.Create("mobilenet_v2", 0.35, 96, 10, WeightInit.Random(1)), Device,
            new SessionOptions { Warmup = false });
        var dispatches = root.GetProperty("dispatches").EnumerateArray().ToList();
        Assert.That(dispatches.Select(d => d.GetProperty("label").GetString()), Is.EqualTo(session.Dispatches.Select(d => d.Label)));
        Assert.That(new FileInfo(dir.File("weights.bin")).Length, Is.EqualTo(session.WeightBytes));
        Assert.That(root.GetProperty("arenaBytes").GetInt64(), Is.EqualTo(session.ArenaBytes));
        Assert.That(root.GetProperty("input").GetProperty("arenaOffset").GetInt64(), Is.EqualTo(session.Memory.OffsetOf(session.Graph.Input)));

        var kernels = root.GetProperty("kernels").EnumerateArray().ToList();
        var files = Directory.GetFiles(dir.Path, "*.hlsl").Select(Path.GetFileName).Order().ToList();
        Assert.That(kernels.Select(k => k.GetProperty("file").GetString()).Order(), Is.EqualTo(files));
        Assert.That(dispatches.Select(d => d.GetProperty("file").GetString()).Distinct().Order(), Is.EqualTo(files), "every kernel file is used");
        for (int i = 0; i < dispatches.Count; i++)
        {
            // The file a dispatch names carries that dispatch's constants.
            var kernel = kernels.Single(k => k.GetProperty("file").GetString() == dispatches[i].GetProperty("file").GetString());
            var constants = kernel.GetProperty("constants").EnumerateArray().ToList();
            Assert.That(kernel.GetProperty("kernel").GetString(), Is.EqualTo(session.Dispatches[i].Shader));
            Assert.That(constants, Has.Count.EqualTo(session.Dispatches[i].SpecConstants.Length));
            var text = File.ReadAllText(dir.File(kernel.GetProperty("file").GetString()!));
            for (int id = 0; id < constants.Count; id++)
                Assert.That(text, Does.Contain($"#define SPIRV_CROSS_CONSTANT_ID_{id} "), $"{kernel.GetProperty("file")} constant {id}");
        }

        foreach (var file in files)
        {
            var (code, errors) = Glslc("-fshader-stage=compute", "-x", "hlsl", "--target-env=vulkan1.1", "-DGMN_PUSH_CONSTANT=[[vk::push_constant]]",
                "-o", dir.File(file + ".spv"), dir.File(file!));
            Assert.That(code, Is.Zero, $"{file} does not compile back: {errors}");
            Assert.That(new FileInfo(dir.File(file + ".spv")).Length, Is.GreaterThan(0));
        }
    }

    [Test]
    public void AnOutputPathThatIsAFileIsNamed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("taken"), "");
        CliAssert.OneLineError(GmnProcess.Run("export-hlsl", "--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "32", "--out", dir.File("taken")),
            "--out", "taken");
    }

    private static (int Code, string Errors) Glslc(params string[] args)
    {
        var info = new ProcessStartInfo("glslc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var errors = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, errors.Result);
    }
}
