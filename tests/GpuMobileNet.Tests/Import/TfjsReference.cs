using System.Diagnostics;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>Runs models/tfjs/reference.js (TF.js, pure JS CPU backend) on a decoded image: TF.js does
/// nsfwjs's own preprocessing and inference, giving both the input tensor it built and the output.</summary>
internal static class TfjsReference
{
    public sealed record Result(float[] Input, float[] Output);

    public static Result Run(string modelJson, RgbImage image)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("image.rgb"), image.Pixels);
        RunScript(modelJson, dir.File("image.rgb"), dir.File("out.f32"), "--rgb", $"{image.Width}x{image.Height}", "--dump-input", dir.File("in.f32"));
        return new Result(ReadFloats(dir.File("in.f32")), ReadFloats(dir.File("out.f32")));
    }

    /// <summary>The model's output for one NCHW input tensor (reference.js transposes it to NHWC).</summary>
    public static float[] RunTensor(string modelJson, float[] input)
    {
        using var dir = new TempDir();
        var bytes = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(dir.File("in.f32"), bytes);
        RunScript(modelJson, dir.File("in.f32"), dir.File("out.f32"));
        return ReadFloats(dir.File("out.f32"));
    }

    private static void RunScript(params string[] args)
    {
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { TestPaths.TfjsReferenceScript }.Concat(args).Concat(["--modules", TestPaths.NodeModules]))
            psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot start node ({e.Message}): install Node.js, then run scripts/setup");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Only a hang guard: far above its time on a slow, busy machine.
            if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("reference.js did not finish within 20 minutes: a hang");
            }
            Assert.That(process.ExitCode, Is.Zero, () => $"reference.js failed:\n{stdout.Result}\n{stderr.Result}");
        }
    }

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }
}
