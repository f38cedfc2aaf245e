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

    private readonly Action<string>? _onMessage;
    private long _count;

    /// <summary>The most messages kept: a long run that keeps raising one (a viewer left open) must not grow without bound.</summary>
    public const int MaxKept = 1000;

    public ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>Messages received since the device was opened, including those no longer kept.</summary>
    public long Count => Interlocked.Read(ref _count);

    public ValidationMessenger(Vk vk, Instance instance, Action<string>? onMessage)
    {
        _vk = vk;
        _onMessage = onMessage;
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
            self.Receive(line);
        else
            Console.Error.WriteLine("vulkan: " + line);
        return false;
    }

    private void Receive(string line)
    {
        Interlocked.Increment(ref _count);
        Messages.Enqueue(line);
        while (Messages.Count > MaxKept) Messages.TryDequeue(out _);
        // A callback that throws must not unwind into the driver.
        try { _onMessage?.Invoke(line); }
        catch (Exception e) { Console.Error.WriteLine($"vulkan: (validation callback failed: {e.Message}) {line}"); }
    }

    public void Dispose()
    {
        var destroy = (delegate* unmanaged<Instance, DebugUtilsMessengerEXT, AllocationCallbacks*, void>)
            _vk.GetInstanceProcAddr(_instance, "vkDestroyDebugUtilsMessengerEXT").Handle;
        if (destroy != null) destroy(_instance, _messenger, null);
        if (_self.IsAllocated) _self.Free();
    }
}
