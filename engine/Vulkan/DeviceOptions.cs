namespace GpuMobileNet.Vulkan;

/// <summary>How <see cref="VulkanDevice.Open"/> picks and configures the device.
/// Thread-safety: immutable (init-only); one instance may open any number of devices.</summary>
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
    internal ulong? MaxTexelBufferElements { get; init; }

    /// <summary>Treat the device as if one storage-buffer binding could span at most this many bytes (its own
    /// maxStorageBufferRange, when lower, still applies). A session whose arena would exceed it runs its batch as
    /// sub-batches, and one whose single sample exceeds it is refused, naming the limit; weights beyond it go in several
    /// buffers, and a layer whose weights alone exceed it is split by output units (or refused, naming it).</summary>
    internal ulong? MaxStorageBufferRange { get; init; }

    /// <summary>Treat the device as if a dispatch could have at most this many workgroups in each dimension (its own
    /// maxComputeWorkGroupCount, when lower, still applies): larger grids are recorded as several dispatches.</summary>
    internal uint? MaxWorkGroupCount { get; init; }

    /// <summary>Treat the device as if one memory allocation could have at most this many bytes (its own
    /// maxMemoryAllocationSize and heap size, when lower, still apply).</summary>
    internal ulong? MaxMemoryAllocationSize { get; init; }

    /// <summary>Called with each validation-layer message as it arrives (they are also kept in
    /// <see cref="VulkanDevice.ValidationMessages"/>), e.g. to print them at once. May be called on any thread.</summary>
    public Action<string>? OnValidationMessage { get; init; }

    /// <summary>Where weights and activations live (see <see cref="DeviceMemoryMode"/>); forcing one runs that path on any
    /// device, e.g. the staging copies of a discrete GPU on lavapipe.</summary>
    public DeviceMemoryMode MemoryMode { get; init; } = DeviceMemoryMode.Auto;

    /// <summary>Flush and invalidate mapped memory as if it were not host-coherent, even where it is (lavapipe's is), so
    /// the path that non-coherent memory takes runs and is validated on any device.</summary>
    internal bool TreatMemoryAsNonCoherent { get; init; }

    /// <summary>Which form of the kernels pipelines are built from: the GLSL-built SPIR-V (default), or the HLSL generated
    /// from it at build time, compiled at run time through libshaderc with the specialisation constants as defines (what
    /// an engine whose shaders are HLSL runs; fp32 kernels only). A test runs every kernel both ways.</summary>
    internal ShaderLanguage KernelLanguage { get; init; } = ShaderLanguage.Glsl;

    /// <summary>SPIR-V to use instead of a built-in kernel, by kernel name (e.g. "pointwise_conv_packed"): a user's variant
    /// with the same bindings, push constants and specialisation constants (`gmn bench --kernel-file`).</summary>
    public IReadOnlyDictionary<string, byte[]>? KernelOverrides { get; init; }
}
