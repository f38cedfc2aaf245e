using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

/// <summary>Base of every test that touches the GPU: fails the test on any validation-layer message.</summary>
public abstract class GpuTest
{
    protected static VulkanDevice Device => SharedDevice.Instance;

    [SetUp]
    public void ClearValidation() => Device.ClearValidationMessages();

    [TearDown]
    public void AssertNoValidationMessages()
    {
        var messages = Device.ValidationMessages;
        Device.ClearValidationMessages();
        Assert.That(messages, Is.Empty, "Vulkan validation layer reported:\n" + string.Join("\n", messages));
    }
}
