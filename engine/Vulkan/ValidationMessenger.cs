using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Silk.NET.Core;
using Silk.NET.Core.Native;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>Receives VK_EXT_debug_utils messages from the validation layer and keeps the warnings and
/// errors, so tests can fail on any of them. Loaded by hand: the Silk.NET extension package is not available here.</summary>
internal sealed unsafe class ValidationMessenger : IDisposable
{
    private readonly Vk _vk;
    private readonly Instance _instance;
    private readonly DebugUtilsMessengerEXT _messenger;
    private GCHandle _self;

    public ConcurrentQueue<string> Messages { get; } = new();

    public ValidationMessenger(Vk vk, Instance instance)
    {
        _vk = vk;
        _instance = instance;
        _self = GCHandle.Alloc(this);
        var createInfo = CreateInfo((void*)GCHandle.ToIntPtr(_self));
        var create = (delegate* unmanaged<Instance, DebugUtilsMessengerCreateInfoEXT*, AllocationCallbacks*, DebugUtilsMessengerEXT*, Result>)
            vk.GetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT").Handle;
        if (create == null)
            throw new VulkanException("vkCreateDebugUtilsMessengerEXT is missing although VK_EXT_debug_utils was enabled");
        DebugUtilsMessengerEXT messenger;
        VulkanException.Check(create(instance, &createInfo, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
        _messenger = messenger;
    }

    /// <summary>The create-info used both for the messenger and in the instance's pNext chain (which also
    /// reports problems of vkCreateInstance/vkDestroyInstance themselves).</summary>
    public static DebugUtilsMessengerCreateInfoEXT CreateInfo(void* userData) => new()
    {
        SType = StructureType.DebugUtilsMessengerCreateInfoExt,
        MessageSeverity = DebugUtilsMessageSeverityFlagsEXT.WarningBitExt | DebugUtilsMessageSeverityFlagsEXT.ErrorBitExt,
        MessageType = DebugUtilsMessageTypeFlagsEXT.GeneralBitExt | DebugUtilsMessageTypeFlagsEXT.ValidationBitExt |
                      DebugUtilsMessageTypeFlagsEXT.PerformanceBitExt,
        PfnUserCallback = new PfnDebugUtilsMessengerCallbackEXT(&OnMessage),
        PUserData = userData,
    };

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static Bool32 OnMessage(DebugUtilsMessageSeverityFlagsEXT severity, DebugUtilsMessageTypeFlagsEXT type,
        DebugUtilsMessengerCallbackDataEXT* data, void* userData)
    {
        var text = SilkMarshal.PtrToString((nint)data->PMessage) ?? "(no message)";
        var line = $"[{severity} {type}] {text}";
        if (userData != null && GCHandle.FromIntPtr((nint)userData).Target is ValidationMessenger self)
            self.Messages.Enqueue(line);
        else
            Console.Error.WriteLine("vulkan: " + line);
        return false;
    }

    public void Dispose()
    {
        var destroy = (delegate* unmanaged<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void>)
            _vk.GetInstanceProcAddr(_instance, "vkDestroyDebugUtilsMessengerEXT").Handle;
        if (destroy != null) destroy(_instance, _messenger, null);
        if (_self.IsAllocated) _self.Free();
    }
}
