using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

// Adopting a device that a host application (a game engine, an editor) created and keeps owning.
public sealed unsafe partial class VulkanDevice
{
    /// <summary>Uses a Vulkan device the host created, without taking ownership: <see cref="Dispose"/> destroys only the
    /// engine's own objects (pipelines, pools, fences) and leaves the instance, device and queue alive. The handles are
    /// the raw VkInstance, VkPhysicalDevice, VkDevice and VkQueue values; the queue must belong to
    /// <paramref name="queueFamilyIndex"/>, a family with compute. Sessions on it submit to that queue.</summary>
    /// <param name="features">Optional features the host enabled (fp16) and its queue lock; none by default.</param>
    /// <param name="options">Only the limits, memory mode and pipeline cache options apply; device choice and validation are the host's.</param>
    /// <exception cref="VulkanException">A handle is null, the family has no compute, or a feature said to be enabled does not exist (named).</exception>
    public static VulkanDevice FromHost(nint instance, nint physicalDevice, nint device, uint queueFamilyIndex, nint queue,
        HostDeviceFeatures? features = null, DeviceOptions? options = null)
    {
        foreach (var (handle, name) in new[] { (instance, "instance"), (physicalDevice, "physicalDevice"), (device, "device"), (queue, "queue") })
            if (handle == 0) throw new VulkanException($"FromHost: the host's {name} handle is null");
        features ??= new HostDeviceFeatures();
        var vk = LoadApi();
        var host = new HostDevice(device, queueFamilyIndex, queue, features.Float16StorageEnabled, features.Float16ArithmeticEnabled, features.QueueLock);
        return new VulkanDevice(vk, new Instance(instance), null, new PhysicalDevice(physicalDevice), options ?? new DeviceOptions(), host);
    }

    /// <summary>The host's queue family, checked: it must exist and do compute. Returns it and whether it has timestamps.</summary>
    private static (uint Family, bool Timestamps) CheckHostQueueFamily(Vk vk, PhysicalDevice physical, uint family)
    {
        var families = QueueFamilies(vk, physical);
        if (family >= families.Length)
            throw new VulkanException($"FromHost: queue family {family} does not exist (the device has {families.Length})");
        if ((families[family].QueueFlags & QueueFlags.ComputeBit) == 0)
            throw new VulkanException($"FromHost: queue family {family} has no compute (VK_QUEUE_COMPUTE_BIT), which every kernel needs");
        return (family, families[family].TimestampValidBits > 0);
    }
}
