using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace GpuMobileNet.Vulkan;

/// <summary>A storage buffer with its own memory. Device-local memory is preferred; where that memory is also
/// host-visible (lavapipe, integrated GPUs) the buffer is mapped and no staging copy is needed.</summary>
public sealed unsafe class GpuBuffer : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DeviceMemory _memory;
    private readonly long _allocationBytes;
    private bool _disposed;

    internal Buffer Handle { get; }
    public ulong Bytes { get; }
    /// <summary>Mapped pointer, or null when the memory is not host-visible.</summary>
    internal void* Mapped { get; }
    public bool IsHostVisible => Mapped != null;

    private GpuBuffer(VulkanDevice device, ulong bytes, MemoryPropertyFlags required, MemoryPropertyFlags preferred)
    {
        _device = device;
        Bytes = Math.Max(bytes, 16);
        var vk = device.Vk;
        var info = new BufferCreateInfo
        {
            SType = StructureType.BufferCreateInfo, Size = Bytes, SharingMode = SharingMode.Exclusive,
            Usage = BufferUsageFlags.StorageBufferBit | BufferUsageFlags.UniformBufferBit | BufferUsageFlags.UniformTexelBufferBit | BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit,
        };
        VulkanException.Check(vk.CreateBuffer(device.Handle, in info, null, out var buffer), "vkCreateBuffer");
        Handle = buffer;
        device.CountObject();
        vk.GetBufferMemoryRequirements(device.Handle, buffer, out var req);
        uint type = device.FindMemoryType(req.MemoryTypeBits, required, preferred);
        var alloc = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = req.Size, MemoryTypeIndex = type };
        var result = vk.AllocateMemory(device.Handle, in alloc, null, out _memory);
        if (result != Result.Success)
        {
            vk.DestroyBuffer(device.Handle, buffer, null);
            throw new VulkanException($"vkAllocateMemory of {Bytes} bytes failed on '{device.Name}': {result}");
        }
        device.CountObject();
        _allocationBytes = (long)req.Size;
        device.CountAllocation(_allocationBytes);
        VulkanException.Check(vk.BindBufferMemory(device.Handle, buffer, _memory, 0), "vkBindBufferMemory");
        var flags = device.MemoryProperties.MemoryTypes[(int)type].PropertyFlags;
        if ((flags & MemoryPropertyFlags.HostVisibleBit) != 0)
        {
            void* p;
            VulkanException.Check(vk.MapMemory(device.Handle, _memory, 0, Vk.WholeSize, 0, &p), "vkMapMemory");
            Mapped = p;
            IsCoherent = (flags & MemoryPropertyFlags.HostCoherentBit) != 0;
        }
    }

    internal bool IsCoherent { get; }

    /// <summary>GPU memory for kernels: device-local, host-visible when the device offers both at once.</summary>
    public static GpuBuffer CreateDeviceLocal(VulkanDevice device, ulong bytes) =>
        new(device, bytes, MemoryPropertyFlags.DeviceLocalBit, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit);

    /// <summary>Host-visible, coherent memory for staging copies to and from device-local buffers.</summary>
    public static GpuBuffer CreateStaging(VulkanDevice device, ulong bytes) =>
        new(device, bytes, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit, MemoryPropertyFlags.HostCachedBit);

    /// <summary>The mapped memory as a span of <typeparamref name="T"/>, from a byte offset.</summary>
    public Span<T> AsSpan<T>(ulong byteOffset, int count) where T : unmanaged
    {
        if (Mapped == null) throw new InvalidOperationException("buffer is not host-visible; use a staging buffer");
        if (byteOffset + (ulong)count * (ulong)sizeof(T) > Bytes)
            throw new ArgumentOutOfRangeException(nameof(count), $"range {byteOffset}+{count}x{sizeof(T)} exceeds buffer of {Bytes} bytes");
        return new Span<T>((byte*)Mapped + byteOffset, count);
    }

    /// <summary>Copies host data into the buffer: directly when mapped, else through a temporary staging buffer.</summary>
    public void Upload<T>(ReadOnlySpan<T> data, ulong byteOffset = 0) where T : unmanaged
    {
        if (IsHostVisible)
        {
            data.CopyTo(AsSpan<T>(byteOffset, data.Length));
            return;
        }
        ulong bytes = (ulong)data.Length * (ulong)sizeof(T);
        using var staging = CreateStaging(_device, bytes);
        data.CopyTo(staging.AsSpan<T>(0, data.Length));
        var region = new BufferCopy(0, byteOffset, bytes);
        var src = staging.Handle;
        _device.RunOnce(cb => _device.Vk.CmdCopyBuffer(cb, src, Handle, 1, in region));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (Mapped != null) _device.Vk.UnmapMemory(_device.Handle, _memory);
        _device.Vk.DestroyBuffer(_device.Handle, Handle, null);
        _device.Vk.FreeMemory(_device.Handle, _memory, null);
        _device.CountAllocation(-_allocationBytes);
    }
}
