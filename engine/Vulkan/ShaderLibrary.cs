using System.Collections.Concurrent;
using System.Reflection;

namespace GpuMobileNet.Vulkan;

/// <summary>SPIR-V compiled from shaders/*.comp at build time and embedded as "&lt;name&gt;.spv" resources.</summary>
internal static class ShaderLibrary
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    /// <summary>Names of all embedded kernels (file names without extension).</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(ShaderLibrary).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".spv", StringComparison.Ordinal)).Select(n => n[..^4]).Order().ToList();

    public static byte[] Get(string name) => Cache.GetOrAdd(name, Load);

    /// <summary>The HLSL generated from a kernel at build time (see shaders/Shaders.targets), or null.</summary>
    public static string? GetHlsl(string name) => Text(name + ".hlsl");

    /// <summary>Names of the files in shaders/include, embedded for kernels compiled at run time.</summary>
    public static IReadOnlyList<string> IncludeNames { get; } = typeof(ShaderLibrary).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("include/", StringComparison.Ordinal)).Select(n => n["include/".Length..]).Order().ToList();

    /// <summary>A file of shaders/include, or null.</summary>
    public static string? GetInclude(string name) => Text("include/" + name);

    private static string? Text(string resource)
    {
        using var stream = typeof(ShaderLibrary).Assembly.GetManifestResourceStream(resource);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(ShaderLibrary).Assembly.GetManifestResourceStream(name + ".spv")
            ?? throw new VulkanException($"shader '{name}' is not embedded; known: {string.Join(", ", Names)}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
