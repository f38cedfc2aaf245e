using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

// The limits sessions respect, read once at open and lowered by DeviceOptions where a test asks.
public sealed unsafe partial class VulkanDevice
{
    /// <summary>vkCmdDispatchBase exists (Vulkan 1.1): grids beyond maxComputeWorkGroupCount are split into pieces.</summary>
    internal bool SupportsDispatchBase { get; }

    /// <summary>Where sessions keep weights and activations (resolved from <see cref="DeviceOptions.MemoryMode"/>).</summary>
    public DeviceMemoryMode MemoryMode { get; }

    /// <summary>Mapped memory is flushed and invalidated even where it is host-coherent (a test switch).</summary>
    internal bool TreatMemoryAsNonCoherent { get; }

    /// <summary>Which form of the kernels pipelines are built from (<see cref="DeviceOptions.KernelLanguage"/>).</summary>
    internal ShaderLanguage KernelLanguage { get; private init; }

    /// <summary>User kernels replacing built-in ones, by name (<see cref="DeviceOptions.KernelOverrides"/>).</summary>
    internal IReadOnlyDictionary<string, byte[]> KernelOverrides { get; private init; } = new Dictionary<string, byte[]>();

    /// <summary>Alignment of flushed and invalidated ranges (nonCoherentAtomSize).</summary>
    internal ulong NonCoherentAtomSize { get; }

    private static DeviceLimits QueryLimits(Vk vk, PhysicalDevice physical, PhysicalDeviceProperties props,
        PhysicalDeviceMemoryProperties memory, DeviceOptions options)
    {
        ulong allocation = ulong.MaxValue;
        if (props.ApiVersion >= Vk.Version11)
        {
            var m3 = new PhysicalDeviceMaintenance3Properties { SType = StructureType.PhysicalDeviceMaintenance3Properties };
            var p2 = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &m3 };
            vk.GetPhysicalDeviceProperties2(physical, &p2);
            if (m3.MaxMemoryAllocationSize > 0) allocation = m3.MaxMemoryAllocationSize;
        }
        // The heap of the first device-local type: where CreateDeviceLocal's buffers come from.
        ulong heap = 0;
        for (int i = 0; i < memory.MemoryTypeCount && heap == 0; i++)
            if ((memory.MemoryTypes[i].PropertyFlags & MemoryPropertyFlags.DeviceLocalBit) != 0)
                heap = memory.MemoryHeaps[(int)memory.MemoryTypes[i].HeapIndex].Size;
        if (heap == 0 && memory.MemoryHeapCount > 0) heap = memory.MemoryHeaps[0].Size;

        uint cap = options.MaxWorkGroupCount ?? uint.MaxValue;
        var groups = props.Limits.MaxComputeWorkGroupCount;
        return new DeviceLimits(
            Math.Min(props.Limits.MaxStorageBufferRange, options.MaxStorageBufferRange ?? ulong.MaxValue),
            (Math.Min(groups[0], cap), Math.Min(groups[1], cap), Math.Min(groups[2], cap)),
            Math.Min(allocation, options.MaxMemoryAllocationSize ?? ulong.MaxValue),
            heap);
    }

    /// <summary>Raises one validation message on purpose (a buffer created with no usage flags, then destroyed), so
    /// that tools can prove they see validation messages. Does nothing when validation is off.</summary>
    internal void ProvokeValidationMessage()
    {
        if (!ValidationEnabled) return;
        var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = 16, SharingMode = SharingMode.Exclusive, Usage = 0 };
        if (Vk.CreateBuffer(Handle, in info, null, out var buffer) == Result.Success)
            Vk.DestroyBuffer(Handle, buffer, null);
    }
}
