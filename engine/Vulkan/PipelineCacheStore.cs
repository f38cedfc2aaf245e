using GpuMobileNet.IO;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The device's VkPipelineCache, loaded from and saved to disk so later processes skip shader
/// compilation where the driver supports it. A corrupt or foreign file is ignored (the driver validates the header).</summary>
internal sealed unsafe class PipelineCacheStore : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly string? _path;

    public PipelineCache Handle { get; }

    /// <summary>The cache file, or null where the device keeps none.</summary>
    public string? FilePath => _path;

    public PipelineCacheStore(VulkanDevice device, string? path)
    {
        _device = device;
        _path = path;
        byte[] initial = ReadInitial(path);

        fixed (byte* data = initial)
        {
            var info = new PipelineCacheCreateInfo
            {
                SType = StructureType.PipelineCacheCreateInfo, InitialDataSize = (nuint)initial.Length, PInitialData = data,
            };
            var result = device.Vk.CreatePipelineCache(device.Handle, in info, null, out var cache);
            if (result != Result.Success && initial.Length > 0)
            {
                info.InitialDataSize = 0;
                info.PInitialData = null;
                result = device.Vk.CreatePipelineCache(device.Handle, in info, null, out cache);
            }
            VulkanException.Check(result, "vkCreatePipelineCache");
            Handle = cache;
        }
    }

    /// <summary>The largest cache file read: a driver's cache for every kernel variant of this engine is a few MB;
    /// a larger file is not ours (or is damaged) and is ignored, then rebuilt on save.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    // A missing file is the normal first run. Anything else that cannot be used (a FIFO, a device, a directory, a file
    // over the cap, an unreadable one) is ignored with a warning: the cache only saves time, so it must never stop
    // or hang inference.
    private static byte[] ReadInitial(string? path)
    {
        if (path is null) return [];
        var (problem, _) = SafeFile.Check(path, MaxFileBytes, "pipeline cache file");
        if (problem is not null)
        {
            if (SafeFile.Stat(path).Kind != FileKind.Missing)
                Console.Error.WriteLine($"gmn: warning: {problem}; ignored, the cache is rebuilt");
            return [];
        }
        try
        {
            return SafeFile.ReadAllBytes(path, MaxFileBytes, "pipeline cache file", m => new IOException(m));
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"gmn: warning: {e.Message}; ignored, the cache is rebuilt");
            return [];
        }
    }

    /// <summary>Writes the cache to disk (best effort: a read-only home must not break inference).</summary>
    public void Save()
    {
        if (_path is null) return;
        nuint size = 0;
        if (_device.Vk.GetPipelineCacheData(_device.Handle, Handle, ref size, null) != Result.Success || size == 0) return;
        var data = new byte[(int)size];
        fixed (byte* p = data)
            if (_device.Vk.GetPipelineCacheData(_device.Handle, Handle, ref size, p) != Result.Success) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var tmp = _path + ".tmp" + Environment.ProcessId;
            File.WriteAllBytes(tmp, data.AsSpan(0, (int)size).ToArray());
            File.Move(tmp, _path, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        Save();
        _device.Vk.DestroyPipelineCache(_device.Handle, Handle, null);
    }
}
