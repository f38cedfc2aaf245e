namespace GpuMobileNet.Vulkan;

/// <summary>Kind of physical device, in the order <see cref="VulkanDevice.Open"/> prefers them.</summary>
public enum DeviceKind
{
    DiscreteGpu,
    IntegratedGpu,
    VirtualGpu,
    Cpu,
    Other,
}
