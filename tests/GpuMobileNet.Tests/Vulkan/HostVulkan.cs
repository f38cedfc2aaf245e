using GpuMobileNet.Vulkan;
using NUnit.Framework;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;
using Buffer = Silk.NET.Vulkan.Buffer;
using VkSemaphore = Silk.NET.Vulkan.Semaphore;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>What a game engine owns: its own instance (validation on, its own messenger), device and queue, created
/// without the engine's help; test fixtures adopt them with <see cref="VulkanDevice.FromHost"/>.</summary>
internal sealed unsafe class HostVulkan : IDisposable
{
    private readonly ValidationMessenger _messenger;
    private readonly List<string> _messages = [];

    public Vk Vk { get; } = Vk.GetApi();
    public Instance Instance { get; }
    public PhysicalDevice Physical { get; }
    public Device Device { get; }
    public Queue Queue { get; }
    public uint Family { get; }

    public HostVulkan()
    {
        var layers = (byte**)SilkMarshal.StringArrayToPtr(["VK_LAYER_KHRONOS_validation"]);
        var extensions = (byte**)SilkMarshal.StringArrayToPtr(["VK_EXT_debug_utils"]);
        var app = new ApplicationInfo { SType = StructureType.ApplicationInfo, ApiVersion = Vk.Version12 };
        var info = new InstanceCreateInfo
        {
            SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app, EnabledLayerCount = 1, PpEnabledLayerNames = layers,
            EnabledExtensionCount = 1, PpEnabledExtensionNames = extensions,
        };
        Assert.That(Vk.CreateInstance(in info, null, out var instance), Is.EqualTo(Result.Success));
        Instance = instance;
        SilkMarshal.Free((nint)layers);
        SilkMarshal.Free((nint)extensions);
        _messenger = new ValidationMessenger(Vk, Instance, m => { lock (_messages) _messages.Add(m); });

        uint count = 1;
        PhysicalDevice physical;
        Vk.EnumeratePhysicalDevices(Instance, ref count, &physical);
        Physical = physical;
        uint families = 0;
        Vk.GetPhysicalDeviceQueueFamilyProperties(Physical, ref families, null);
        var props = new QueueFamilyProperties[families];
        fixed (QueueFamilyProperties* p = props) Vk.GetPhysicalDeviceQueueFamilyProperties(Physical, ref families, p);
        Family = (uint)Array.FindIndex(props, f => (f.QueueFlags & QueueFlags.ComputeBit) != 0);
        float priority = 1;
        var queueInfo = new DeviceQueueCreateInfo { SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = Family, QueueCount = 1, PQueuePriorities = &priority };
        var deviceInfo = new DeviceCreateInfo { SType = StructureType.DeviceCreateInfo, QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo };
        Assert.That(Vk.CreateDevice(Physical, in deviceInfo, null, out var device), Is.EqualTo(Result.Success));
        Device = device;
        Vk.GetDeviceQueue(Device, Family, 0, out var queue);
        Queue = queue;
    }

    /// <summary>The validation messages since the last call (and forgets them).</summary>
    public string[] TakeMessages()
    {
        lock (_messages)
        {
            string[] seen = [.. _messages];
            _messages.Clear();
            return seen;
        }
    }

    public VulkanDevice Adopt(HostDeviceFeatures? features = null, DeviceMemoryMode memoryMode = DeviceMemoryMode.Auto, ulong? maxStorageBufferRange = null) =>
        VulkanDevice.FromHost(Instance.Handle, Physical.Handle, Device.Handle, Family, Queue.Handle, features,
            new DeviceOptions { PipelineCachePath = "", MemoryMode = memoryMode, MaxStorageBufferRange = maxStorageBufferRange });

    public VkSemaphore CreateSemaphore()
    {
        var info = new SemaphoreCreateInfo { SType = StructureType.SemaphoreCreateInfo };
        Assert.That(Vk.CreateSemaphore(Device, in info, null, out var s), Is.EqualTo(Result.Success));
        return s;
    }

    public Fence CreateFence()
    {
        var info = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        Assert.That(Vk.CreateFence(Device, in info, null, out var fence), Is.EqualTo(Result.Success));
        return fence;
    }

    /// <summary>A buffer with its own memory of the wanted properties, mapped when host-visible.</summary>
    public HostBuffer CreateBuffer(ulong bytes, BufferUsageFlags usage, MemoryPropertyFlags want) => new(this, bytes, usage, want);

    public void Dispose()
    {
        Vk.DestroyDevice(Device, null);
        _messenger.Dispose();
        Vk.DestroyInstance(Instance, null);
    }

    /// <summary>A host's VkBuffer and its memory.</summary>
    internal sealed class HostBuffer : IDisposable
    {
        private readonly HostVulkan _host;
        private readonly DeviceMemory _memory;

        public Buffer Handle { get; }
        public ulong Bytes { get; }
        public void* Mapped { get; }

        public HostBuffer(HostVulkan host, ulong bytes, BufferUsageFlags usage, MemoryPropertyFlags want)
        {
            (_host, Bytes) = (host, bytes);
            var vk = host.Vk;
            var info = new BufferCreateInfo { SType = StructureType.BufferCreateInfo, Size = bytes, Usage = usage, SharingMode = SharingMode.Exclusive };
            Assert.That(vk.CreateBuffer(host.Device, in info, null, out var buffer), Is.EqualTo(Result.Success));
            Handle = buffer;
            vk.GetBufferMemoryRequirements(host.Device, buffer, out var req);
            vk.GetPhysicalDeviceMemoryProperties(host.Physical, out var props);
            uint type = Enumerable.Range(0, (int)props.MemoryTypeCount).Select(i => (uint)i)
                .First(i => (req.MemoryTypeBits & (1u << (int)i)) != 0 && (props.MemoryTypes[(int)i].PropertyFlags & want) == want);
            var alloc = new MemoryAllocateInfo { SType = StructureType.MemoryAllocateInfo, AllocationSize = req.Size, MemoryTypeIndex = type };
            Assert.That(vk.AllocateMemory(host.Device, in alloc, null, out _memory), Is.EqualTo(Result.Success));
            vk.BindBufferMemory(host.Device, buffer, _memory, 0);
            if ((want & MemoryPropertyFlags.HostVisibleBit) != 0)
            {
                void* p;
                vk.MapMemory(host.Device, _memory, 0, Vk.WholeSize, 0, &p);
                Mapped = p;
            }
        }

        public Span<float> Floats(ulong byteOffset, int count) => new((byte*)Mapped + byteOffset, count);

        public void Dispose()
        {
            _host.Vk.DestroyBuffer(_host.Device, Handle, null);
            _host.Vk.FreeMemory(_host.Device, _memory, null);
        }
    }
}
