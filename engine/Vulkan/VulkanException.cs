using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>A Vulkan call failed or no usable device exists. The message says what failed and what to do.
/// Thread-safety: as any exception, immutable once thrown.</summary>
public class VulkanException(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="result"/> is not Success, naming the call that failed.</summary>
    internal static void Check(Result result, string call)
    {
        if (result != Result.Success)
            throw new VulkanException($"{call} failed: {result}");
    }
}

/// <summary>No Vulkan loader or no Vulkan device on this machine.
/// Thread-safety: as any exception, immutable once thrown.</summary>
public sealed class VulkanNotAvailableException(string message) : VulkanException(message)
{
    internal const string InstallHint =
        "install a Vulkan driver: on Debian/Ubuntu `apt-get install libvulkan1 mesa-vulkan-drivers` " +
        "(lavapipe, a CPU implementation) or your GPU vendor's driver; scripts/setup does this";
}

/// <summary>A model, batch or input is too large for one of the device's limits (named in the message) even after
/// splitting what can be split (dispatches, batches). Thread-safety: as any exception, immutable once thrown.</summary>
public sealed class DeviceLimitException(string message) : VulkanException(message);
