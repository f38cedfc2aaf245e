using GpuMobileNet.Tests.Hardening;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>The list of the pipelines a model needed last time (beside the pipeline cache file) is only a hint: it round
/// trips, lines naming no kernel of this build or not parsing are skipped, and a list that is a FIFO or too large is
/// ignored, never read into a hang; each model has its own list per device, and a device without a cache file none.</summary>
public class PipelineListTests
{
    [Test]
    public void AListRoundTripsWithoutWhatThisBuildCannotCreate()
    {
        using var dir = new TempDir();
        var path = dir.File("lists/a.txt");
        PipelineList.Write(path, ["add:64,16,0", "no_such_kernel:1,2", "add:not,numbers", "garbage", "dense:8,-3,5"]);
        var read = PipelineList.Read(path);
        Assert.That(read.Select(k => $"{k.Shader}:{string.Join(',', k.SpecConstants)}"), Is.EqualTo(new[] { "add:64,16,0", "dense:8,-3,5" }));
    }

    [Test]
    public void AFifoOrAnOversizedListIsIgnored()
    {
        using var dir = new TempDir();
        HostileFileTests.MakeFifo(dir.File("fifo.txt"));
        var reading = Task.Run(() => PipelineList.Read(dir.File("fifo.txt")));
        Assert.That(Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(60))).Result, Is.SameAs(reading), "reading a FIFO list hangs");
        Assert.That(reading.Result, Is.Empty);
        using (var f = File.Create(dir.File("big.txt"))) f.SetLength(PipelineList.MaxFileBytes + 1);
        Assert.That(PipelineList.Read(dir.File("big.txt")), Is.Empty);
        Assert.That(PipelineList.Read(dir.File("missing.txt")), Is.Empty);
    }

    [Test]
    public void EachModelHasItsOwnListBesideTheCacheFile()
    {
        using var dir = new TempDir();
        using (var device = VulkanDevice.Open(new DeviceOptions { Validation = true, PipelineCachePath = dir.File("cache.bin") }))
        {
            var a = PipelineList.PathFor(device, "a.onnx|1|2");
            var b = PipelineList.PathFor(device, "b.onnx|1|2");
            Assert.That(a, Does.StartWith(dir.File("cache-lists") + Path.DirectorySeparatorChar));
            Assert.That(b, Is.Not.EqualTo(a));
            Assert.That(PipelineList.PathFor(device, "a.onnx|1|2"), Is.EqualTo(a), "the same model, the same list");
            Assert.That(device.ValidationMessages, Is.Empty);
        }
        using var noCache = VulkanDevice.Open(new DeviceOptions { Validation = true, PipelineCachePath = "" });
        Assert.That(PipelineList.PathFor(noCache, "a.onnx|1|2"), Is.Null);
    }
}
