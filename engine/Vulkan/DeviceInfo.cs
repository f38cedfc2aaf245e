namespace GpuMobileNet.Vulkan;

/// <summary>A physical device as <see cref="VulkanDevice.ListDevices"/> reports it.
/// Thread-safety: immutable; safe to share between threads.</summary>
public sealed record DeviceInfo(int Index, string Name, DeviceKind Kind, string ApiVersion, string Driver);
