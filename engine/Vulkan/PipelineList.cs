using System.Security.Cryptography;
using System.Text;
using GpuMobileNet.IO;

namespace GpuMobileNet.Vulkan;

/// <summary>The pipelines a model needed last time on a device, one small text file per model beside the device's
/// pipeline cache file, so that a later process can create them as soon as its device is open, while the model is still
/// being read and planned (lavapipe keeps nothing in its pipeline cache: it compiles every pipeline at creation). Only a
/// hint: a missing, stale or damaged list costs time, never a result (the session creates what it needs itself); lines
/// that name no kernel of this build are skipped, and the list's name includes this build's identity, as a list holds
/// this build's specialisation constants. Thread-safety: stateless.</summary>
internal static class PipelineList
{
    /// <summary>The largest list read: a network's few dozen kernels take a few KB.</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Where the list of the model <paramref name="identity"/> names (a file's path, size and time; a built-in
    /// network's settings) is kept for <paramref name="device"/>; null where the device keeps no pipeline cache file.</summary>
    public static string? PathFor(VulkanDevice device, string identity)
    {
        if (device.PipelineCache.FilePath is not { } cache) return null;
        var build = typeof(PipelineList).Assembly.ManifestModule.ModuleVersionId;
        var name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{identity}\n{build}")))[..24];
        return Path.Combine(Path.ChangeExtension(cache, null) + "-lists", name + ".txt");
    }

    /// <summary>The identity of a model file for <see cref="PathFor"/>: its full path, size and last write time.</summary>
    public static string FileIdentity(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}" : file.FullName;
    }

    /// <summary>The kernels listed at <paramref name="path"/> that this build has; empty if there is no usable list.</summary>
    public static (string Shader, int[] SpecConstants)[] Read(string path)
    {
        var known = ShaderLibrary.Names.ToHashSet(StringComparer.Ordinal);
        return [.. (ReadText(path) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PipelineLibrary.ParseKey)
            .Where(k => k is not null && known.Contains(k.Value.Shader)).Select(k => k!.Value)];
    }

    // A regular file within the size cap, or null (missing, a FIFO or device, too large, unreadable: never a hang).
    private static string? ReadText(string path)
    {
        if (SafeFile.Check(path, MaxFileBytes, "pipeline list").Problem is not null) return null;
        try
        {
            return Encoding.UTF8.GetString(SafeFile.ReadAllBytes(path, MaxFileBytes, "pipeline list", m => new IOException(m)));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="keys"/> (<see cref="PipelineLibrary.CreatedKeys"/>) to <paramref name="path"/>
    /// unless it holds them already; best effort (a read-only cache folder must not fail a run).</summary>
    public static void Write(string path, IReadOnlyList<string> keys)
    {
        var text = string.Join('\n', keys) + "\n";
        try
        {
            if (ReadText(path) == text) return;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + ".tmp" + Environment.ProcessId;
            File.WriteAllText(tmp, text);
            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
