using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GpuMobileNet.Vulkan;

/// <summary>Source language of a kernel compiled at run time.</summary>
public enum ShaderLanguage { Glsl, Hlsl }

/// <summary>A kernel that failed to compile at run time; the message holds the compiler's diagnostics.</summary>
public sealed class ShaderCompileException(string message) : VulkanException(message);

/// <summary>Compiles compute kernels to SPIR-V at run time, for tools that hot-reload kernels (`gmn bench --kernel-file`)
/// and for running the generated HLSL (<see cref="DeviceOptions.KernelLanguage"/>). It runs Debian's glslc (the
/// build's compiler) as a process: Debian's libshaderc1 (2023.2-1), the library Silk.NET.Shaderc would wrap, cannot be
/// loaded by any other program (it needs the symbol _ZTVN8spvtools5utils5TimerE, which only the glslc executable
/// defines), and Silk.NET.Shaderc is not in the NuGet registry here. `#include "x.glsl"` is resolved from the engine's
/// embedded shaders/include, so a user's kernel compiles the same from any folder.</summary>
public static partial class ShaderCompiler
{
    /// <summary>The compiler executable (GMN_GLSLC overrides).</summary>
    public static string Glslc => Environment.GetEnvironmentVariable("GMN_GLSLC") is { Length: > 0 } g ? g : "glslc";

    /// <summary>Compiles <paramref name="source"/> (a compute shader, entry point main) for Vulkan 1.1, optimised as the
    /// build's kernels are.</summary>
    /// <param name="defines">Preprocessor macros (e.g. SPIRV_CROSS_CONSTANT_ID_1 = 16 for the generated HLSL).</param>
    /// <param name="fileName">Named in diagnostics.</param>
    /// <exception cref="ShaderCompileException">The compiler's errors (one line each, joined), or no compiler.</exception>
    public static byte[] Compile(string source, ShaderLanguage language, IReadOnlyDictionary<string, string>? defines = null,
        string fileName = "kernel.comp")
    {
        var text = language == ShaderLanguage.Glsl ? ExpandIncludes(source, fileName) : source;
        var info = new ProcessStartInfo(Glslc)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-fshader-stage=compute", "--target-env=vulkan1.1", "-O" }) info.ArgumentList.Add(a);
        if (language == ShaderLanguage.Hlsl) { info.ArgumentList.Add("-x"); info.ArgumentList.Add("hlsl"); }
        foreach (var (name, value) in defines ?? new Dictionary<string, string>()) info.ArgumentList.Add($"-D{name}={value}");
        foreach (var a in new[] { "-o", "-", "-" }) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ShaderCompileException($"{fileName}: cannot run {Glslc} ({e.Message}): apt-get install glslc (scripts/setup installs it)");
        }
        using (process)
        {
            var spirv = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(spirv);
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(text);
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new ShaderCompileException($"{fileName}: {Glslc} did not finish in 5 minutes");
            }
            copy.Wait();
            if (process.ExitCode != 0)
                throw new ShaderCompileException($"{fileName}: {errors.Result.Replace("<stdin>", fileName).ReplaceLineEndings(" ").Trim()}");
            return spirv.ToArray();
        }
    }

    [GeneratedRegex("^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$", RegexOptions.Multiline)]
    private static partial Regex IncludeLine();

    /// <summary>Replaces each #include "x" with the embedded shaders/include/x (once per file, as the kernels expect).</summary>
    private static string ExpandIncludes(string source, string fileName, HashSet<string>? seen = null)
    {
        seen ??= [];
        return IncludeLine().Replace(source, m =>
        {
            var name = m.Groups[1].Value;
            if (!seen.Add(name)) return "";
            var text = ShaderLibrary.GetInclude(name)
                ?? throw new ShaderCompileException($"{fileName}: #include \"{name}\": no such file in shaders/include ({string.Join(", ", ShaderLibrary.IncludeNames)})");
            return ExpandIncludes(text, name, seen);
        });
    }
}
