using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>One Vulkan device for the whole test run, with the Khronos validation layer on.
/// No device is a failure with the message of the engine (what to install), never a skip.</summary>
[SetUpFixture]
public sealed class SharedDevice
{
    private static VulkanDevice? _device;

    public static VulkanDevice Instance => _device ?? throw new InvalidOperationException("the shared test device is not open");

    [OneTimeSetUp]
    public void Open() => _device = VulkanDevice.Open(new DeviceOptions { Validation = true, PipelineCachePath = "" });

    [OneTimeTearDown]
    public void Close()
    {
        var device = _device;
        _device = null;
        if (device is null) return;
        var leftover = device.ValidationMessages;
        device.Dispose();
        Assert.That(leftover, Is.Empty, "validation messages at the end of the run:\n" + string.Join("\n", leftover));
    }
}
