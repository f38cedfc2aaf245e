using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The device's VkPipelineCache, loaded from and saved to disk so later processes skip shader
/// compilation where the driver supports it. A corrupt or foreign file is ignored (the driver validates the header).</summary>
internal sealed unsafe class PipelineCacheStore : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly string? _path;

    public PipelineCache Handle { get; }

    public PipelineCacheStore(VulkanDevice device, string? path)
    {
        _device = device;
        _path = path;
        byte[] initial = [];
        try
        {
            if (path is not null && File.Exists(path)) initial = File.ReadAllBytes(path);
        }
        catch (IOException) { initial = []; }
        catch (UnauthorizedAccessException) { initial = []; }

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
