using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>Owns the Vulkan instance, the chosen physical device, the logical device and its compute queue.
/// Everything else in engine/Vulkan is created from it and must be disposed before it.
/// Thread-safety: thread-safe: any number of sessions and threads may share one device (submissions to its queue are
/// serialised by the queue lock); dispose it once, after its sessions.</summary>
public sealed unsafe partial class VulkanDevice : IDisposable
{
    private const string ValidationLayer = "VK_LAYER_KHRONOS_validation";
    private readonly ValidationMessenger? _messenger;
    private readonly CommandPool _oneTimePool;
    private readonly Fence _fence;
    private long _objectsCreated;
    private bool _disposed;

    internal Vk Vk { get; }
    internal Instance Instance { get; }
    internal PhysicalDevice Physical { get; }
    internal Device Handle { get; }
    internal Queue Queue { get; }
    internal uint QueueFamily { get; }
    internal PhysicalDeviceMemoryProperties MemoryProperties { get; }
    internal PhysicalDeviceLimits Limits { get; }
    internal PipelineCacheStore PipelineCache { get; }

    private PipelineLibrary? _pipelines;
    private readonly object _pipelinesLock = new();

    /// <summary>Kernel pipelines of this device, shared by every session on it (created once, even when sessions
    /// are created from several threads).</summary>
    internal PipelineLibrary Pipelines
    {
        get
        {
            lock (_pipelinesLock) return _pipelines ??= new PipelineLibrary(this);
        }
    }

    /// <summary>The device's name (VkPhysicalDeviceProperties.deviceName).</summary>
    public string Name { get; }

    /// <summary>False for a device adopted with FromHost: its instance, device and queue stay the host's, and Dispose
    /// destroys only what the engine created on them.</summary>
    public bool OwnsHandles { get; }
    /// <summary>Discrete, integrated, virtual GPU or CPU.</summary>
    public DeviceKind Kind { get; }
    /// <summary>Nanoseconds per timestamp tick; 0 when the compute queue has no timestamps.</summary>
    internal double TimestampPeriodNs { get; }
    /// <summary>Whether the queue supports timestamps (profiling).</summary>
    public bool SupportsTimestamps => TimestampPeriodNs > 0;
    /// <summary>16-bit storage buffers (Vulkan 1.2 device): fp16 activations with fp32 arithmetic.</summary>
    public bool SupportsFloat16Storage { get; }
    /// <summary>shaderFloat16 as well: fp16 arithmetic.</summary>
    public bool SupportsFloat16Arithmetic { get; }
    /// <summary>Invocations per subgroup in compute shaders (8 on lavapipe with AVX2, 32 on NVIDIA, 32 or 64 on AMD).</summary>
    internal int SubgroupSize { get; }
    /// <summary>Compute shaders may use subgroupBroadcast (the ballot subgroup operations).</summary>
    internal bool SupportsSubgroupBroadcast { get; }
    /// <summary>Whether the Khronos validation layer is on for this device.</summary>
    public bool ValidationEnabled => _messenger is not null;

    /// <summary>Bytes of the weights a dispatch can see as uniforms: maxUniformBufferRange, capped at
    /// <see cref="MaxUniformWindowBytes"/>.</summary>
    internal ulong UniformWindowBytes => Math.Min(Limits.MaxUniformBufferRange, MaxUniformWindowBytes);

    /// <summary>The largest uniform window on any device (64 KiB): what passes assume when they cannot know the device's.</summary>
    internal const uint MaxUniformWindowBytes = 65536;
    /// <summary>Texels a texel-buffer view may span (maxTexelBufferElements, or less where
    /// <see cref="DeviceOptions.MaxTexelBufferElements"/> says so): bounds what the kernels that read the arena and
    /// the weights as vec4 texels (the channel-packed convolutions, the stem, dense) can reach.</summary>
    internal ulong MaxTexelBufferElements { get; }
    /// <summary>Alignment of a uniform window's start (minUniformBufferOffsetAlignment).</summary>
    internal ulong UniformOffsetAlignment => Math.Max(Limits.MinUniformBufferOffsetAlignment, 16);

    /// <summary>Warnings and errors reported by the validation layer since the last <see cref="ClearValidationMessages"/>.</summary>
    public IReadOnlyList<string> ValidationMessages => _messenger?.Messages.ToArray() ?? [];

    /// <summary>How many validation messages arrived since the device was opened (cleared or not).</summary>
    public long ValidationMessageCount => _messenger?.Count ?? 0;

    /// <summary>The limits sessions on this device respect (buffer ranges, grid sizes, allocation and heap sizes).</summary>
    internal DeviceLimits ResourceLimits { get; }
    /// <summary>Forgets the validation messages seen so far.</summary>
    public void ClearValidationMessages() => _messenger?.Messages.Clear();

    /// <summary>How many Vulkan objects (buffers, memory, pipelines, descriptor sets, ...) this device has created.
    /// Lets tests assert that a hot path creates none.</summary>
    internal long ObjectsCreated => Interlocked.Read(ref _objectsCreated);
    internal void CountObject() => Interlocked.Increment(ref _objectsCreated);

    private VulkanDevice(Vk vk, Instance instance, ValidationMessenger? messenger, PhysicalDevice physical,
        DeviceOptions options, HostDevice? host = null)
    {
        OwnsHandles = host is null;
        _queueLock = host?.QueueLock ?? new object();
        Vk = vk;
        Instance = instance;
        _messenger = messenger;
        Physical = physical;
        vk.GetPhysicalDeviceProperties(physical, out var props);
        Name = SilkMarshal.PtrToString((nint)props.DeviceName) ?? "unknown";
        Kind = ToKind(props.DeviceType);
        Limits = props.Limits;
        MaxTexelBufferElements = Math.Min(props.Limits.MaxTexelBufferElements, options.MaxTexelBufferElements ?? ulong.MaxValue);
        vk.GetPhysicalDeviceMemoryProperties(physical, out var memory);
        MemoryProperties = memory;
        ResourceLimits = QueryLimits(vk, physical, props, memory, options);
        MemoryMode = options.MemoryMode != DeviceMemoryMode.Auto ? options.MemoryMode
            : Kind == DeviceKind.DiscreteGpu ? DeviceMemoryMode.Staged : DeviceMemoryMode.Mapped;
        TreatMemoryAsNonCoherent = options.TreatMemoryAsNonCoherent;
        KernelLanguage = options.KernelLanguage;
        KernelOverrides = options.KernelOverrides ?? new Dictionary<string, byte[]>();
        NonCoherentAtomSize = Math.Max(1, props.Limits.NonCoherentAtomSize);
        SupportsDispatchBase = props.ApiVersion >= Vk.Version11;

        if (host is not null)
        {
            // The host's device: its queue family must do compute, and only the features it says it enabled are used.
            (QueueFamily, var timestampBits) = CheckHostQueueFamily(vk, physical, host.QueueFamilyIndex);
            TimestampPeriodNs = timestampBits ? props.Limits.TimestampPeriod : 0;
            var (hasStorage, hasMath) = QueryFloat16(vk, physical, props.ApiVersion);
            if (host.Float16StorageEnabled && !hasStorage)
                throw new VulkanException($"host device '{Name}': Float16StorageEnabled was set, but the device has no storageBuffer16BitAccess");
            if (host.Float16ArithmeticEnabled && !hasMath)
                throw new VulkanException($"host device '{Name}': Float16ArithmeticEnabled was set, but the device has no shaderFloat16");
            SupportsFloat16Storage = host.Float16StorageEnabled;
            SupportsFloat16Arithmetic = host.Float16StorageEnabled && host.Float16ArithmeticEnabled;
            (SubgroupSize, SupportsSubgroupBroadcast) = QuerySubgroups(vk, physical, props.ApiVersion);
            Handle = new Device(host.Device);
            Queue = new Queue(host.Queue);
        }
        else
        {
            QueueFamily = FindComputeQueueFamily(vk, physical, out bool timestamps);
            TimestampPeriodNs = timestamps ? props.Limits.TimestampPeriod : 0;

            var (fp16Storage, fp16Math) = QueryFloat16(vk, physical, props.ApiVersion);
            SupportsFloat16Storage = fp16Storage;
            SupportsFloat16Arithmetic = fp16Math;
            (SubgroupSize, SupportsSubgroupBroadcast) = QuerySubgroups(vk, physical, props.ApiVersion);

            float priority = 1f;
            var queueInfo = new DeviceQueueCreateInfo
            {
                SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = QueueFamily, QueueCount = 1, PQueuePriorities = &priority,
            };
            // Only the features the fp16 kernels need are enabled, and only where the device has them.
            var v12 = new PhysicalDeviceVulkan12Features { SType = StructureType.PhysicalDeviceVulkan12Features, ShaderFloat16 = fp16Math };
            var v11 = new PhysicalDeviceVulkan11Features
            {
                SType = StructureType.PhysicalDeviceVulkan11Features, PNext = fp16Math ? &v12 : null,
                StorageBuffer16BitAccess = fp16Storage, UniformAndStorageBuffer16BitAccess = fp16Storage,
            };
            var deviceInfo = new DeviceCreateInfo
            {
                SType = StructureType.DeviceCreateInfo, QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo,
                PNext = fp16Storage ? &v11 : null,
            };
            VulkanException.Check(vk.CreateDevice(physical, in deviceInfo, null, out var device), "vkCreateDevice");
            Handle = device;
            vk.GetDeviceQueue(device, QueueFamily, 0, out var queue);
            Queue = queue;
        }

        var poolInfo = new CommandPoolCreateInfo
        {
            SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = QueueFamily,
            Flags = CommandPoolCreateFlags.ResetCommandBufferBit,
        };
        VulkanException.Check(vk.CreateCommandPool(Handle, in poolInfo, null, out _oneTimePool), "vkCreateCommandPool");
        _fence = CreateFence();
        PipelineCache = new PipelineCacheStore(this, ResolveCachePath(options.PipelineCachePath, props));
    }

    /// <summary>Opens the device chosen by <paramref name="options"/>, the GMN_DEVICE variable, or preference
    /// (discrete GPU, integrated GPU, virtual GPU, CPU).</summary>
    /// <exception cref="VulkanNotAvailableException">No Vulkan loader or no device.</exception>
    public static VulkanDevice Open(DeviceOptions? options = null)
    {
        options ??= new DeviceOptions();
        if (options.MaxTexelBufferElements is 0)
            throw new ArgumentOutOfRangeException(nameof(options), "DeviceOptions.MaxTexelBufferElements must be at least 1 texel");
        bool validation = options.Validation || Environment.GetEnvironmentVariable(DeviceOptions.ValidationEnvVar) == "1";
        var phase = Runtime.PhaseLog.Measure("vulkan: load loader");
        var vk = LoadApi();
        phase.Dispose();
        phase = Runtime.PhaseLog.Measure(validation ? "vulkan: instance (validation on)" : "vulkan: instance");
        var (instance, messenger) = CreateInstance(vk, validation, options.OnValidationMessage);
        phase.Dispose();
        try
        {
            using var _ = Runtime.PhaseLog.Measure("vulkan: devices, device, pipeline cache");
            var devices = EnumerateDevices(vk, instance);
            if (devices.Count == 0)
                throw new VulkanNotAvailableException($"the Vulkan loader found no device; {VulkanNotAvailableException.InstallHint}");
            var selector = options.Device ?? Environment.GetEnvironmentVariable(DeviceOptions.DeviceEnvVar);
            var chosen = Select(vk, devices, selector);
            return new VulkanDevice(vk, instance, messenger, chosen, options);
        }
        catch
        {
            messenger?.Dispose();
            vk.DestroyInstance(instance, null);
            throw;
        }
    }

    /// <summary>Lists the physical devices the loader sees, in enumeration order.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        var vk = LoadApi();
        var (instance, _) = CreateInstance(vk, validation: false);
        try
        {
            return EnumerateDevices(vk, instance).Select((d, i) => Describe(vk, d, i)).ToList();
        }
        finally
        {
            vk.DestroyInstance(instance, null);
        }
    }

    /// <summary>Records commands into a temporary command buffer, submits them and waits (uploads, copies).</summary>
    internal void RunOnce(Action<CommandBuffer> record)
    {
        // The pool is shared by every session on the device, and Vulkan pools need external synchronisation.
        lock (_oneTimeLock) RunOnceLocked(record);
    }

    private readonly object _oneTimeLock = new();

    private void RunOnceLocked(Action<CommandBuffer> record)
    {
        var alloc = new CommandBufferAllocateInfo
        {
            SType = StructureType.CommandBufferAllocateInfo, CommandPool = _oneTimePool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1,
        };
        VulkanException.Check(Vk.AllocateCommandBuffers(Handle, in alloc, out var cb), "vkAllocateCommandBuffers");
        try
        {
            var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
            VulkanException.Check(Vk.BeginCommandBuffer(cb, in begin), "vkBeginCommandBuffer");
            record(cb);
            VulkanException.Check(Vk.EndCommandBuffer(cb), "vkEndCommandBuffer");
            SubmitAndWait(cb);
        }
        finally
        {
            Vk.FreeCommandBuffers(Handle, _oneTimePool, 1, in cb);
        }
    }

    /// <summary>Submits one recorded command buffer and blocks until the GPU has finished it (one-time work: uploads,
    /// copies, the peak kernel). Sessions submit with their own fence (<see cref="Submit(CommandBuffer, Fence, ulong, ulong)"/>), so they never wait on each other.</summary>
    internal void SubmitAndWait(CommandBuffer cb)
    {
        lock (_fenceLock)
        {
            Submit(cb, _fence);
            WaitAndReset(_fence);
        }
    }

    private readonly object _fenceLock = new();
    private readonly object _queueLock;

    /// <summary>Submits <paramref name="cb"/> signalling <paramref name="fence"/>, optionally waiting on and signalling
    /// the host's semaphores. The queue is externally synchronised: submissions are serialised by the queue lock (the
    /// host's own, for a device adopted with <see cref="FromHost(nint, nint, nint, uint, nint, HostDeviceFeatures?, DeviceOptions?)"/>), but
    /// the wait for the fence happens outside it.</summary>
    internal void Submit(CommandBuffer cb, Fence fence, ulong waitSemaphore = 0, ulong signalSemaphore = 0) =>
        Submit(new ReadOnlySpan<CommandBuffer>(in cb), fence, waitSemaphore, signalSemaphore);

    /// <summary>Submits <paramref name="buffers"/> as one batch, executed in order (a sub-batched run's command buffers),
    /// as <see cref="Submit(CommandBuffer, Fence, ulong, ulong)"/> does one.</summary>
    internal void Submit(ReadOnlySpan<CommandBuffer> buffers, Fence fence, ulong waitSemaphore = 0, ulong signalSemaphore = 0)
    {
        var wait = new Silk.NET.Vulkan.Semaphore(waitSemaphore);
        var signal = new Silk.NET.Vulkan.Semaphore(signalSemaphore);
        var stage = PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit;
        fixed (CommandBuffer* first = buffers)
        {
            var submit = new SubmitInfo
            {
                SType = StructureType.SubmitInfo, CommandBufferCount = (uint)buffers.Length, PCommandBuffers = first,
                WaitSemaphoreCount = waitSemaphore != 0 ? 1u : 0, PWaitSemaphores = &wait, PWaitDstStageMask = &stage,
                SignalSemaphoreCount = signalSemaphore != 0 ? 1u : 0, PSignalSemaphores = &signal,
            };
            lock (_queueLock)
                VulkanException.Check(Vk.QueueSubmit(Queue, 1, in submit, fence), "vkQueueSubmit");
        }
    }

    /// <summary>Whether <paramref name="fence"/> is signalled now (vkGetFenceStatus; does not block).</summary>
    internal bool IsSignalled(Fence fence) => Vk.GetFenceStatus(Handle, fence) == Result.Success;

    /// <summary>Blocks until <paramref name="fence"/> is signalled, then resets it for the next submission.</summary>
    internal void WaitAndReset(Fence fence)
    {
        var result = Vk.WaitForFences(Handle, 1, in fence, true, ulong.MaxValue);
        if (result == Result.ErrorDeviceLost)
            throw new VulkanException($"the device '{Name}' was lost while running commands");
        VulkanException.Check(result, "vkWaitForFences");
        VulkanException.Check(Vk.ResetFences(Handle, 1, in fence), "vkResetFences");
    }

    internal uint FindMemoryType(uint typeBits, MemoryPropertyFlags required, MemoryPropertyFlags preferred = 0)
    {
        var memory = MemoryProperties;
        foreach (var want in new[] { required | preferred, required })
            for (uint i = 0; i < memory.MemoryTypeCount; i++)
                if ((typeBits & (1u << (int)i)) != 0 && (memory.MemoryTypes[(int)i].PropertyFlags & want) == want)
                    return i;
        throw new VulkanException($"device '{Name}' has no memory type with {required} for this resource");
    }

    internal Fence CreateFence()
    {
        var info = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        VulkanException.Check(Vk.CreateFence(Handle, in info, null, out var fence), "vkCreateFence");
        return fence;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Kind})";

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // A host's device may be busy with the host's own work: wait only for ours (sessions wait for theirs on dispose).
        if (OwnsHandles) Vk.DeviceWaitIdle(Handle);
        else lock (_fenceLock) { }
        _pipelines?.Dispose();
        PipelineCache.Dispose();
        Vk.DestroyFence(Handle, _fence, null);
        Vk.DestroyCommandPool(Handle, _oneTimePool, null);
        if (!OwnsHandles) return;
        Vk.DestroyDevice(Handle, null);
        _messenger?.Dispose();
        Vk.DestroyInstance(Instance, null);
    }
}
