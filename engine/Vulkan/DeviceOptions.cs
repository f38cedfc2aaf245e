namespace GpuMobileNet.Vulkan;

/// <summary>How <see cref="VulkanDevice.Open"/> picks and configures the device.</summary>
public sealed record DeviceOptions
{
    /// <summary>Environment variable that selects the device by index or by (part of its) name.</summary>
    public const string DeviceEnvVar = "GMN_DEVICE";

    /// <summary>Environment variable that turns the Khronos validation layer on ("1").</summary>
    public const string ValidationEnvVar = "GMN_VALIDATION";

    /// <summary>Device index (as listed by <see cref="VulkanDevice.ListDevices"/>) or a substring of its name.
    /// Null: the GMN_DEVICE environment variable, else the best device (discrete &gt; integrated &gt; CPU).</summary>
    public string? Device { get; init; }

    /// <summary>Enable VK_LAYER_KHRONOS_validation and collect its messages (also on when GMN_VALIDATION=1).</summary>
    public bool Validation { get; init; }

    /// <summary>Where the VkPipelineCache is persisted; null for the default under the user cache folder, "" to disable.</summary>
    public string? PipelineCachePath { get; init; }

    /// <summary>Treat the device as if its texel-buffer views could span at most this many texels (its
    /// maxTexelBufferElements, when lower, still applies). Runs on any device the paths a device with small texel
    /// buffers takes: dense and the stem read without texels, a channel-packed convolution out of reach is refused.
    /// Null: the device's own limit.</summary>
    public ulong? MaxTexelBufferElements { get; init; }
}
