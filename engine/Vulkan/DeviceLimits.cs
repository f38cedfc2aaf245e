namespace GpuMobileNet.Vulkan;

/// <summary>The device limits the engine's buffers and dispatches depend on, after <see cref="DeviceOptions"/> has
/// lowered any of them (so tests can run the paths a small device takes on any device).</summary>
/// <param name="MaxStorageBufferRange">Bytes one storage-buffer binding may span (maxStorageBufferRange): the arena is
/// bound whole, so it must fit; the weights go in as many buffers (pages) as they need, each bound whole.</param>
/// <param name="MaxWorkGroupCount">Workgroups per dimension of one dispatch (maxComputeWorkGroupCount): larger grids are
/// recorded as several dispatches with a base workgroup (vkCmdDispatchBase).</param>
/// <param name="MaxMemoryAllocationSize">Bytes of one memory allocation (maxMemoryAllocationSize).</param>
/// <param name="DeviceLocalHeapBytes">Size of the memory heap the engine's buffers come from.</param>
internal sealed record DeviceLimits(ulong MaxStorageBufferRange, (uint X, uint Y, uint Z) MaxWorkGroupCount,
    ulong MaxMemoryAllocationSize, ulong DeviceLocalHeapBytes)
{
    /// <summary>The most bytes one engine buffer (the arena, or one page of weights) may have on this device.</summary>
    public ulong MaxBufferBytes => Math.Min(MaxStorageBufferRange, Math.Min(MaxMemoryAllocationSize, DeviceLocalHeapBytes));

    /// <summary>Which limit <see cref="MaxBufferBytes"/> comes from, for error messages.</summary>
    public string MaxBufferBytesLimitName =>
        MaxBufferBytes == MaxStorageBufferRange ? "maxStorageBufferRange"
        : MaxBufferBytes == MaxMemoryAllocationSize ? "maxMemoryAllocationSize" : "the device-local memory heap";

    /// <summary>Bytes as a short human figure (e.g. "128 MiB", "2.1 GiB").</summary>
    public static string Describe(ulong bytes) => bytes switch
    {
        >= 1UL << 30 => $"{bytes / (double)(1UL << 30):0.#} GiB",
        >= 1UL << 20 => $"{bytes / (double)(1UL << 20):0.#} MiB",
        >= 1UL << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
