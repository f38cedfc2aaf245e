using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>Devices of a test's own, opened with the validation layer on and no pipeline cache file (for tests that lower a
/// limit or force a path through <see cref="DeviceOptions"/>), and the check every such test ends with.</summary>
internal static class TestDevices
{
    public static VulkanDevice Open(DeviceOptions options) => VulkanDevice.Open(options with { Validation = true, PipelineCachePath = "" });

    public static void AssertNoValidationMessages(VulkanDevice device)
    {
        var messages = device.ValidationMessages;
        Assert.That(messages, Is.Empty, "Vulkan validation layer reported:\n" + string.Join("\n", messages));
    }
}
