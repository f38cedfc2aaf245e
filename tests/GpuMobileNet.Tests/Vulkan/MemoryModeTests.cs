using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using V2 = GpuMobileNet.Models.MobileNetV2;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>The memory paths of discrete GPUs, forced on lavapipe through <see cref="DeviceOptions"/>: weights and
/// activations the host never maps (staging copies in the command buffer), and mapped memory that is flushed and
/// invalidated as non-coherent memory must be. Both must match the oracle with validation clean.</summary>
public class MemoryModeTests
{
    [Test]
    public void AutoMapsOnACpuDevice() => Assert.That(SharedDevice.Instance.MemoryMode, Is.EqualTo(DeviceMemoryMode.Mapped));

    [TestCase(DeviceMemoryMode.Staged, false, Precision.Float32)]
    [TestCase(DeviceMemoryMode.Staged, false, Precision.Float16Storage)]
    [TestCase(DeviceMemoryMode.Mapped, true, Precision.Float32)]
    [TestCase(DeviceMemoryMode.Staged, true, Precision.Float32)]
    public void SessionMatchesTheOracle(DeviceMemoryMode mode, bool nonCoherent, Precision precision)
    {
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = mode, TreatMemoryAsNonCoherent = nonCoherent });
        var graph = V2.Create(0.35, 64, 10, WeightInit.Random(41));
        bool fp16 = precision != Precision.Float32;
        GpuVsCpu.Check(device, graph, 3, fp16 ? 2e-2 : 1e-5, fp16 ? 5e-2 : 1e-3, options: new SessionOptions { Precision = precision },
            what: $"MobileNetV2 0.35/64, {mode}, non-coherent {nonCoherent}, {precision}");
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void StagedBuffersAreNotMapped()
    {
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = DeviceMemoryMode.Staged });
        using var buffer = GpuBuffer.CreateDeviceLocal(device, 4096);
        Assert.That(buffer.IsHostVisible, Is.False);
        var data = Enumerable.Range(0, 100).Select(i => i * 0.5f).ToArray();
        buffer.Upload<float>(data, 64);
        var back = new float[100];
        buffer.Download<float>(64, back);
        Assert.That(back, Is.EqualTo(data));
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>Unaligned ranges are widened to nonCoherentAtomSize (the validation layer checks that), and every host
    /// write and read of mapped memory is flushed or invalidated.</summary>
    [Test]
    public void NonCoherentBuffersFlushAndInvalidate()
    {
        using var device = TestDevices.Open(new DeviceOptions { TreatMemoryAsNonCoherent = true });
        using var buffer = GpuBuffer.CreateDeviceLocal(device, 1000);
        Assert.That(buffer.IsHostVisible, Is.True);
        var data = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
        buffer.Upload<float>(data, 12);
        var back = new float[37];
        buffer.Download<float>(12, back);
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(data));
            Assert.That(buffer.FlushCount, Is.EqualTo(1));
            Assert.That(buffer.InvalidateCount, Is.EqualTo(1));
        });
        TestDevices.AssertNoValidationMessages(device);
    }
}
