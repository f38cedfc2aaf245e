namespace GpuMobileNet.Vulkan;

/// <summary>What a host application that created the Vulkan device tells the engine about it: which optional features
/// it enabled at vkCreateDevice (the engine cannot query that), and the lock it uses around its own vkQueueSubmit
/// calls on the shared queue (Vulkan queues need external synchronisation).
/// Thread-safety: immutable; its QueueLock is what keeps the host's and the engine's submissions to the shared queue
/// apart.</summary>
public sealed record HostDeviceFeatures
{
    /// <summary>storageBuffer16BitAccess and uniformAndStorageBuffer16BitAccess were enabled: fp16 activations allowed.</summary>
    public bool Float16StorageEnabled { get; init; }

    /// <summary>shaderFloat16 was enabled too: fp16 arithmetic allowed.</summary>
    public bool Float16ArithmeticEnabled { get; init; }

    /// <summary>The object the host locks around its own submissions to the queue; the engine locks it around its
    /// vkQueueSubmit calls. Null: the host promises not to submit to this queue while the engine does.</summary>
    public object? QueueLock { get; init; }
}

/// <summary>The host's handles and features, as FromHost received them.</summary>
internal sealed record HostDevice(nint Device, uint QueueFamilyIndex, nint Queue, bool Float16StorageEnabled,
    bool Float16ArithmeticEnabled, object? QueueLock);
