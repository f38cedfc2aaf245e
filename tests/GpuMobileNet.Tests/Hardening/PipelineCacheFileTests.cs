using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>The on-disk pipeline cache only saves time: a cache path that is a FIFO (opening it to read would block),
/// or a file over the cap (it used to be read whole at any size), is ignored and the cache rebuilt.</summary>
public class PipelineCacheFileTests
{
    private static void OpenAndCompileOne(string path)
    {
        var task = Task.Run(() =>
        {
            using var device = VulkanDevice.Open(new DeviceOptions { PipelineCachePath = path });
            device.Pipelines.Get("add", [64, 16, 0]);
        });
        Assert.That(Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))).Result, Is.SameAs(task), "opening the device hangs on its cache file");
        task.GetAwaiter().GetResult();
    }

    [Test]
    public void AFifoIsIgnoredAndReplaced()
    {
        using var dir = new TempDir();
        HostileFileTests.MakeFifo(dir.File("cache.bin"));
        OpenAndCompileOne(dir.File("cache.bin"));
        Assert.That(new FileInfo(dir.File("cache.bin")).Length, Is.GreaterThan(0), "the rebuilt cache replaced the FIFO");
    }

    [Test]
    public void AFileOverTheCapIsIgnoredAndRebuilt()
    {
        using var dir = new TempDir();
        using (var f = File.Create(dir.File("cache.bin"))) f.SetLength(PipelineCacheStore.MaxFileBytes + 1);
        OpenAndCompileOne(dir.File("cache.bin"));
        Assert.That(new FileInfo(dir.File("cache.bin")).Length, Is.InRange(1, PipelineCacheStore.MaxFileBytes), "rebuilt at its real size");
    }
}
