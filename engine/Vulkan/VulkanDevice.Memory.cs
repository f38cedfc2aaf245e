namespace GpuMobileNet.Vulkan;

public sealed partial class VulkanDevice
{
    private long _allocatedBytes;

    /// <summary>Bytes of device memory the engine's buffers hold now (allocated, not yet freed): what a soak test
    /// watches to see that nothing grows.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    internal void CountAllocation(long bytes) => Interlocked.Add(ref _allocatedBytes, bytes);
}
