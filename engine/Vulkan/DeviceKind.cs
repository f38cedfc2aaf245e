namespace GpuMobileNet.Vulkan;

/// <summary>Kind of physical device, in the order <see cref="VulkanDevice.Open"/> prefers them.
/// Thread-safety: a plain enum value, thread-safe.</summary>
public enum DeviceKind
{
    /// <summary>A discrete GPU.</summary>
    DiscreteGpu,
    /// <summary>A GPU integrated with the CPU (shared memory).</summary>
    IntegratedGpu,
    /// <summary>A virtualised GPU.</summary>
    VirtualGpu,
    /// <summary>A CPU implementation (lavapipe).</summary>
    Cpu,
    /// <summary>Anything else.</summary>
    Other,
}
