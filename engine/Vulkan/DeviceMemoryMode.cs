namespace GpuMobileNet.Vulkan;

/// <summary>Where a session's weights and activations live, and how the host reaches them.
/// Thread-safety: a plain enum value, thread-safe.</summary>
public enum DeviceMemoryMode
{
    /// <summary><see cref="Staged"/> on discrete GPUs (whose host-visible device memory, without resizable BAR, is a
    /// small heap), <see cref="Mapped"/> elsewhere (integrated GPUs and CPU implementations share memory with the host).</summary>
    Auto,
    /// <summary>Device-local memory that is also host-visible where the device has it, mapped: no staging copies.</summary>
    Mapped,
    /// <summary>Device-local memory the host never maps: inputs and outputs go through host-visible staging buffers and
    /// copies recorded into the command buffer.</summary>
    Staged,
}
