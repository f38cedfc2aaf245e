using Silk.NET.Core.Contexts;
using Silk.NET.Core.Loader;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

// Instance creation and physical-device choice: the part of VulkanDevice that runs before a device exists.
public sealed unsafe partial class VulkanDevice
{
    private static Vk LoadApi()
    {
        try
        {
            // Vk.GetApi() looks for the loader with Silk.NET's path resolvers, which parse the app's and the runtime's
            // deps.json first (loading Microsoft.Extensions.DependencyModel): a tenth of a cold `gmn classify`. On Linux
            // the loader is a system library that dlopen finds by its soname. Every function the engine calls is core
            // Vulkan, which the loader exports (the debug-utils ones are looked up by hand, see ValidationMessenger).
            return OperatingSystem.IsLinux()
                ? new Vk(new DefaultNativeContext(LinuxLoaderSoname, LibraryLoader.GetPlatformDefaultLoader(), new SonameOnly()))
                : Vk.GetApi();
        }
        catch (Exception e)
        {
            throw new VulkanNotAvailableException($"the Vulkan loader (libvulkan) could not be loaded ({e.GetType().Name}); {VulkanNotAvailableException.InstallHint}");
        }
    }

    private const string LinuxLoaderSoname = "libvulkan.so.1";

    /// <summary>Hands the library name to dlopen as it is (its own search: LD_LIBRARY_PATH, ld.so.cache).</summary>
    private sealed class SonameOnly : PathResolver
    {
        public override IEnumerable<string> EnumeratePossibleLibraryLoadTargets(string name) => [name];
    }

    private static (Instance, ValidationMessenger?) CreateInstance(Vk vk, bool validation, Action<string>? onMessage = null)
    {
        if (validation && !HasLayer(vk, ValidationLayer))
            throw new VulkanNotAvailableException(
                $"validation was requested but {ValidationLayer} is not installed: apt-get install vulkan-validationlayers (scripts/setup does this)");

        var appName = (byte*)SilkMarshal.StringToPtr("GpuMobileNet");
        var layers = validation ? new[] { ValidationLayer } : [];
        var extensions = validation ? new[] { "VK_EXT_debug_utils" } : [];
        var layerNames = (byte**)SilkMarshal.StringArrayToPtr(layers);
        var extensionNames = (byte**)SilkMarshal.StringArrayToPtr(extensions);
        try
        {
            var app = new ApplicationInfo
            {
                SType = StructureType.ApplicationInfo, PApplicationName = appName, PEngineName = appName,
                ApiVersion = Vk.Version12,
            };
            // Reports problems of instance creation itself; the messenger proper is created right after.
            var debugInfo = ValidationMessenger.CreateInfo(null);
            var info = new InstanceCreateInfo
            {
                SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app,
                EnabledLayerCount = (uint)layers.Length, PpEnabledLayerNames = layerNames,
                EnabledExtensionCount = (uint)extensions.Length, PpEnabledExtensionNames = extensionNames,
                PNext = validation ? &debugInfo : null,
            };
            var result = vk.CreateInstance(in info, null, out var instance);
            if (result == Result.ErrorIncompatibleDriver || result == Result.ErrorInitializationFailed)
                throw new VulkanNotAvailableException($"vkCreateInstance failed ({result}): no Vulkan driver; {VulkanNotAvailableException.InstallHint}");
            VulkanException.Check(result, "vkCreateInstance");
            return (instance, validation ? new ValidationMessenger(vk, instance, onMessage) : null);
        }
        finally
        {
            SilkMarshal.Free((nint)appName);
            SilkMarshal.Free((nint)layerNames);
            SilkMarshal.Free((nint)extensionNames);
        }
    }

    private static bool HasLayer(Vk vk, string name)
    {
        uint count = 0;
        vk.EnumerateInstanceLayerProperties(ref count, null);
        var layers = new LayerProperties[count];
        fixed (LayerProperties* p = layers)
            vk.EnumerateInstanceLayerProperties(ref count, p);
        return layers.Any(l => SilkMarshal.PtrToString((nint)l.LayerName) == name);
    }

    private static List<PhysicalDevice> EnumerateDevices(Vk vk, Instance instance)
    {
        uint count = 0;
        var result = vk.EnumeratePhysicalDevices(instance, ref count, null);
        if (result != Result.Success || count == 0) return [];
        var devices = new PhysicalDevice[count];
        fixed (PhysicalDevice* p = devices)
            VulkanException.Check(vk.EnumeratePhysicalDevices(instance, ref count, p), "vkEnumeratePhysicalDevices");
        // A device without a compute queue is of no use here.
        return devices.Where(d => HasComputeQueue(vk, d)).ToList();
    }

    private static PhysicalDevice Select(Vk vk, List<PhysicalDevice> devices, string? selector)
    {
        var infos = devices.Select((d, i) => Describe(vk, d, i)).ToList();
        if (string.IsNullOrWhiteSpace(selector))
            return devices[infos.OrderBy(i => i.Kind).ThenBy(i => i.Index).First().Index];
        if (int.TryParse(selector, out int index))
        {
            if (index < 0 || index >= devices.Count)
                throw new VulkanException($"device index {index} is out of range; devices: {string.Join("; ", infos.Select(i => $"{i.Index}: {i.Name}"))}");
            return devices[index];
        }
        var match = infos.FirstOrDefault(i => i.Name.Contains(selector, StringComparison.OrdinalIgnoreCase));
        if (match is null)
            throw new VulkanException($"no device name contains '{selector}'; devices: {string.Join("; ", infos.Select(i => $"{i.Index}: {i.Name}"))}");
        return devices[match.Index];
    }

    private static DeviceInfo Describe(Vk vk, PhysicalDevice device, int index)
    {
        vk.GetPhysicalDeviceProperties(device, out var props);
        var name = SilkMarshal.PtrToString((nint)props.DeviceName) ?? "unknown";
        var api = $"{props.ApiVersion >> 22}.{(props.ApiVersion >> 12) & 0x3ff}.{props.ApiVersion & 0xfff}";
        return new DeviceInfo(index, name, ToKind(props.DeviceType), api, $"0x{props.DriverVersion:x}");
    }

    private static DeviceKind ToKind(PhysicalDeviceType type) => type switch
    {
        PhysicalDeviceType.DiscreteGpu => DeviceKind.DiscreteGpu,
        PhysicalDeviceType.IntegratedGpu => DeviceKind.IntegratedGpu,
        PhysicalDeviceType.VirtualGpu => DeviceKind.VirtualGpu,
        PhysicalDeviceType.Cpu => DeviceKind.Cpu,
        _ => DeviceKind.Other,
    };

    private static QueueFamilyProperties[] QueueFamilies(Vk vk, PhysicalDevice device)
    {
        uint count = 0;
        vk.GetPhysicalDeviceQueueFamilyProperties(device, ref count, null);
        var families = new QueueFamilyProperties[count];
        fixed (QueueFamilyProperties* p = families)
            vk.GetPhysicalDeviceQueueFamilyProperties(device, ref count, p);
        return families;
    }

    private static bool HasComputeQueue(Vk vk, PhysicalDevice device) =>
        QueueFamilies(vk, device).Any(f => (f.QueueFlags & QueueFlags.ComputeBit) != 0);

    /// <summary>Prefers a compute-only family (async compute on real GPUs), else any family with compute.</summary>
    private static uint FindComputeQueueFamily(Vk vk, PhysicalDevice device, out bool timestamps)
    {
        var families = QueueFamilies(vk, device);
        int best = -1;
        for (int i = 0; i < families.Length; i++)
        {
            if ((families[i].QueueFlags & QueueFlags.ComputeBit) == 0) continue;
            bool computeOnly = (families[i].QueueFlags & QueueFlags.GraphicsBit) == 0;
            if (best < 0 || (computeOnly && (families[best].QueueFlags & QueueFlags.GraphicsBit) != 0)) best = i;
        }
        timestamps = families[best].TimestampValidBits > 0;
        return (uint)best;
    }

    private static string? ResolveCachePath(string? configured, PhysicalDeviceProperties props)
    {
        if (configured == "") return null;
        if (configured is not null) return configured;
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "gpumobilenet", $"pipelines-{props.VendorID:x}-{props.DeviceID:x}-{props.DriverVersion:x}.bin");
    }

    /// <summary>Whether the device can store activations as fp16 and compute in fp16. Asked through the Vulkan 1.1/1.2
    /// feature structs, so only devices of API 1.2 or later report either.</summary>
    private static (bool Storage, bool Arithmetic) QueryFloat16(Vk vk, PhysicalDevice device, uint apiVersion)
    {
        if (apiVersion < Vk.Version12) return (false, false);
        var v12 = new PhysicalDeviceVulkan12Features { SType = StructureType.PhysicalDeviceVulkan12Features };
        var v11 = new PhysicalDeviceVulkan11Features { SType = StructureType.PhysicalDeviceVulkan11Features, PNext = &v12 };
        var features = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &v11 };
        vk.GetPhysicalDeviceFeatures2(device, &features);
        bool storage = v11.StorageBuffer16BitAccess && v11.UniformAndStorageBuffer16BitAccess;
        return (storage, storage && v12.ShaderFloat16);
    }

    /// <summary>The subgroup size compute shaders see and whether they may use subgroupBroadcast (ballot
    /// operations in the compute stage); (0, false) before Vulkan 1.1.</summary>
    private static (int Size, bool Broadcast) QuerySubgroups(Vk vk, PhysicalDevice device, uint apiVersion)
    {
        if (apiVersion < Vk.Version11) return (0, false);
        var subgroup = new PhysicalDeviceSubgroupProperties { SType = StructureType.PhysicalDeviceSubgroupProperties };
        var props = new PhysicalDeviceProperties2 { SType = StructureType.PhysicalDeviceProperties2, PNext = &subgroup };
        vk.GetPhysicalDeviceProperties2(device, &props);
        bool broadcast = subgroup.SupportedStages.HasFlag(ShaderStageFlags.ComputeBit)
            && subgroup.SupportedOperations.HasFlag(SubgroupFeatureFlags.BallotBit);
        return ((int)subgroup.SubgroupSize, broadcast);
    }
}
