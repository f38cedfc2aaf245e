using GpuMobileNet.Vulkan;
using NUnit.Framework;

// Root namespace on purpose: a SetUpFixture covers its namespace and those below it, i.e. every test.
namespace GpuMobileNet.Tests;

/// <summary>One Vulkan device for the whole test run, with the Khronos validation layer on, opened by the
/// first test that needs it. No device is a failure with the engine's message (what to install), never a skip.</summary>
[SetUpFixture]
public sealed class SharedDevice
{
    private static readonly Lazy<VulkanDevice> Device = new(() =>
        VulkanDevice.Open(new DeviceOptions { Validation = true, PipelineCachePath = "" }));

    public static VulkanDevice Instance => Device.Value;

    [OneTimeTearDown]
    public void Close()
    {
        if (!Device.IsValueCreated) return;
        var device = Device.Value;
        var leftover = device.ValidationMessages;
        device.Dispose();
        Assert.That(leftover, Is.Empty, "validation messages at the end of the run:\n" + string.Join("\n", leftover));
    }
}
