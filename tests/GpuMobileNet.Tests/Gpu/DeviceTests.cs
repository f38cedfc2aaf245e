using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Gpu;

public class DeviceTests : GpuTest
{
    [Test]
    public void TheDeviceHasAComputeQueueWithTimestamps()
    {
        Assert.That(Device.ValidationEnabled, Is.True, "tests must run with the validation layer");
        Assert.That(Device.SupportsTimestamps, Is.True, $"{Device} reports no timestamps");
        Assert.That(VulkanDevice.ListDevices(), Is.Not.Empty);
    }

    [Test]
    public void SelectingAnUnknownDeviceNameSaysWhichDevicesExist()
    {
        var ex = Assert.Throws<VulkanException>(() => VulkanDevice.Open(new DeviceOptions { Device = "no-such-gpu-xyz", PipelineCachePath = "" }));
        Assert.That(ex!.Message, Does.Contain("no-such-gpu-xyz").And.Contain(VulkanDevice.ListDevices()[0].Name));
    }

    [Test]
    public void SelectingADeviceByIndexOpensThatDevice()
    {
        var first = VulkanDevice.ListDevices()[0];
        using var device = VulkanDevice.Open(new DeviceOptions { Device = "0", PipelineCachePath = "" });
        Assert.That(device.Name, Is.EqualTo(first.Name));
    }

    [Test]
    public void ABufferRoundTripsData()
    {
        using var buffer = GpuBuffer.CreateDeviceLocal(Device, 1024);
        var data = Enumerable.Range(0, 256).Select(i => i * 0.5f).ToArray();
        buffer.Upload<float>(data);
        Assert.That(buffer.AsSpan<float>(0, 256).ToArray(), Is.EqualTo(data));
    }

    [Test]
    public void ThePipelineCacheIsWrittenToDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gmn-cache-{Guid.NewGuid():N}.bin");
        try
        {
            using (var device = VulkanDevice.Open(new DeviceOptions { PipelineCachePath = path }))
                device.Pipelines.Get("add", [64, 16, 0]);
            Assert.That(File.Exists(path), Is.True, "no pipeline cache file after dispose");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
