using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;

namespace GpuMobileNet.Vulkan;

/// <summary>A storage buffer with its own memory. Device-local memory is preferred; where that memory is also
/// host-visible and the device's <see cref="DeviceMemoryMode"/> is Mapped (lavapipe, integrated GPUs) the buffer is
/// mapped and no staging copy is needed. Host writes to mapped memory are flushed and host reads invalidated where the
/// memory is not host-coherent (<see cref="FlushHostWrites"/>, <see cref="InvalidateForHostReads"/>).</summary>
internal sealed unsafe class GpuBuffer : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DeviceMemory _memory;
    private readonly ulong _allocationSize;
    private bool _disposed;

    internal Buffer Handle { get; }
    public ulong Bytes { get; }
    /// <summary>Mapped pointer, or null when the memory is not host-visible.</summary>
    internal void* Mapped { get; }
    public bool IsHostVisible => Mapped != null;

    private GpuBuffer(VulkanDevice device, ulong bytes, MemoryPropertyFlags required, MemoryPropertyFlags preferred, bool map = true)
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
        _allocationSize = req.Size;
        var result = vk.AllocateMemory(device.Handle, in alloc, null, out _memory);
        if (result != Result.Success)
        {
            vk.DestroyBuffer(device.Handle, buffer, null);
            throw new VulkanException($"vkAllocateMemory of {Bytes} bytes failed on '{device.Name}': {result}");
        }
        device.CountObject();
        device.CountAllocation((long)_allocationSize);
        VulkanException.Check(vk.BindBufferMemory(device.Handle, buffer, _memory, 0), "vkBindBufferMemory");
        var flags = device.MemoryProperties.MemoryTypes[(int)type].PropertyFlags;
        if (map && (flags & MemoryPropertyFlags.HostVisibleBit) != 0)
        {
            void* p;
            VulkanException.Check(vk.MapMemory(device.Handle, _memory, 0, Vk.WholeSize, 0, &p), "vkMapMemory");
            Mapped = p;
            IsCoherent = (flags & MemoryPropertyFlags.HostCoherentBit) != 0 && !device.TreatMemoryAsNonCoherent;
        }
    }

    internal bool IsCoherent { get; }

    /// <summary>GPU memory for kernels: device-local; also host-visible and mapped when the device offers both at once
    /// and its memory mode is Mapped. In Staged mode (discrete GPUs) a plain device-local type is preferred, so the
    /// small host-visible device-local heap of a GPU without resizable BAR is not used up.</summary>
    public static GpuBuffer CreateDeviceLocal(VulkanDevice device, ulong bytes) => device.MemoryMode == DeviceMemoryMode.Staged
        ? new(device, bytes, MemoryPropertyFlags.DeviceLocalBit, 0, map: false)
        : new(device, bytes, MemoryPropertyFlags.DeviceLocalBit, MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit);

    /// <summary>Host-visible memory (coherent and cached where offered) for staging copies to and from device-local buffers.</summary>
    public static GpuBuffer CreateStaging(VulkanDevice device, ulong bytes) =>
        new(device, bytes, MemoryPropertyFlags.HostVisibleBit, MemoryPropertyFlags.HostCoherentBit | MemoryPropertyFlags.HostCachedBit);

    /// <summary>Makes host writes to <paramref name="bytes"/> bytes at <paramref name="byteOffset"/> visible to the device
    /// (vkFlushMappedMemoryRanges); nothing to do on host-coherent memory. Allocation-free.</summary>
    internal void FlushHostWrites(ulong byteOffset, ulong bytes)
    {
        if (Mapped == null || IsCoherent) return;
        var range = AtomRange(byteOffset, bytes);
        VulkanException.Check(_device.Vk.FlushMappedMemoryRanges(_device.Handle, 1, in range), "vkFlushMappedMemoryRanges");
        FlushCount++;
    }

    /// <summary>Makes device writes to the range visible to host reads (vkInvalidateMappedMemoryRanges); nothing to do on
    /// host-coherent memory. Allocation-free.</summary>
    internal void InvalidateForHostReads(ulong byteOffset, ulong bytes)
    {
        if (Mapped == null || IsCoherent) return;
        var range = AtomRange(byteOffset, bytes);
        VulkanException.Check(_device.Vk.InvalidateMappedMemoryRanges(_device.Handle, 1, in range), "vkInvalidateMappedMemoryRanges");
        InvalidateCount++;
    }

    /// <summary>Flushes and invalidations made so far (tests check the non-coherent path runs).</summary>
    internal int FlushCount { get; private set; }
    internal int InvalidateCount { get; private set; }

    /// <summary>The range widened to nonCoherentAtomSize multiples, or to the end of the allocation (VUID-VkMappedMemoryRange-size-01390).</summary>
    private MappedMemoryRange AtomRange(ulong byteOffset, ulong bytes)
    {
        ulong atom = _device.NonCoherentAtomSize;
        ulong start = byteOffset / atom * atom;
        ulong end = (byteOffset + bytes + atom - 1) / atom * atom;
        ulong size = end >= _allocationSize ? Vk.WholeSize : end - start;
        return new MappedMemoryRange { SType = StructureType.MappedMemoryRange, Memory = _memory, Offset = start, Size = size };
    }

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
        ulong bytes = (ulong)data.Length * (ulong)sizeof(T);
        if (IsHostVisible)
        {
            data.CopyTo(AsSpan<T>(byteOffset, data.Length));
            FlushHostWrites(byteOffset, bytes);
            return;
        }
        using var staging = CreateStaging(_device, bytes);
        data.CopyTo(staging.AsSpan<T>(0, data.Length));
        staging.FlushHostWrites(0, bytes);
        var region = new BufferCopy(0, byteOffset, bytes);
        var src = staging.Handle;
        _device.RunOnce(cb => _device.Vk.CmdCopyBuffer(cb, src, Handle, 1, in region));
    }

    /// <summary>Copies device data out of the buffer: directly when mapped, else through a temporary staging buffer.</summary>
    public void Download<T>(ulong byteOffset, Span<T> destination) where T : unmanaged
    {
        ulong bytes = (ulong)destination.Length * (ulong)sizeof(T);
        if (IsHostVisible)
        {
            InvalidateForHostReads(byteOffset, bytes);
            AsSpan<T>(byteOffset, destination.Length).CopyTo(destination);
            return;
        }
        using var staging = CreateStaging(_device, bytes);
        var region = new BufferCopy(byteOffset, 0, bytes);
        var dst = staging.Handle;
        _device.RunOnce(cb => _device.Vk.CmdCopyBuffer(cb, Handle, dst, 1, in region));
        staging.InvalidateForHostReads(0, bytes);
        staging.AsSpan<T>(0, destination.Length).CopyTo(destination);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (Mapped != null) _device.Vk.UnmapMemory(_device.Handle, _memory);
        _device.Vk.DestroyBuffer(_device.Handle, Handle, null);
        _device.Vk.FreeMemory(_device.Handle, _memory, null);
        _device.CountAllocation(-(long)_allocationSize);
    }
}
