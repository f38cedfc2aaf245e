using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using V1 = GpuMobileNet.Models.MobileNetV1;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>Sessions respect the device limits their buffers and dispatches depend on. Each test opens lavapipe with
/// one limit lowered through <see cref="DeviceOptions"/> (validation on: a binding past maxStorageBufferRange or a grid
/// past maxComputeWorkGroupCount would be a validation error), and checks the session at the limit, just past it,
/// and where nothing can be split.</summary>
public class DeviceLimitTests
{
    // Small weights, large activations: the arena of two samples is larger than the weights, so the storage
    // range can be set between them.
    private static readonly ModelGraph Net = V1.Create(0.25, 224, 10, WeightInit.Random(5));
    private static long _arena1, _arena2, _weights;

    [OneTimeSetUp]
    public void MeasureBuffers()
    {
        using var one = InferenceSession.Create(Net, SharedDevice.Instance, new SessionOptions { Batch = 1, Warmup = false });
        using var two = InferenceSession.Create(Net, SharedDevice.Instance, new SessionOptions { Batch = 2, Warmup = false });
        (_arena1, _arena2, _weights) = (one.ArenaBytes, two.ArenaBytes, one.WeightBytes);
        Assert.That(_arena1, Is.GreaterThan(_weights + 64), "the test model's activations of one sample outweigh its weights");
    }

    [Test]
    public void ArenaAtTheStorageRangeRunsTwoSamplesPerSubmitAndMatchesTheOracle()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxStorageBufferRange = (ulong)_arena2 });
        GpuVsCpu.Check(device, Net, 5, 1e-5, 1e-3, what: "V1 0.25/224, batch 5 as sub-batches of 2",
            inspect: s => Assert.That(s.SubBatch, Is.EqualTo(2), $"arena of 2 samples = {_arena2} bytes = the limit"));
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void OneBytePastTheRangeRunsOneSamplePerSubmit()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxStorageBufferRange = (ulong)_arena2 - 1 });
        GpuVsCpu.Check(device, Net, 3, 1e-5, 1e-3, what: "V1 0.25/224, batch 3 one by one",
            inspect: s => Assert.That(s.SubBatch, Is.EqualTo(1)));
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void AllocationLimitSplitsTheBatchToo()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxMemoryAllocationSize = (ulong)_arena2 });
        using var session = InferenceSession.Create(Net, device, new SessionOptions { Batch = 4, Warmup = false });
        Assert.That(session.SubBatch, Is.EqualTo(2));
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void OneSampleBeyondTheRangeIsRefusedNamingTheLimit()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxStorageBufferRange = (ulong)_arena1 - 64 });
        var ex = Assert.Throws<DeviceLimitException>(() => InferenceSession.Create(Net, device, new SessionOptions { Batch = 2 }));
        Assert.That(ex!.Message, Does.Contain("maxStorageBufferRange").And.Contain("one sample").And.Contain(Net.Name));
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>With at most 3 workgroups per dimension every dispatch of the network is recorded in pieces with
    /// vkCmdDispatchBase; the kernels see their planned grid, so the output is unchanged.</summary>
    [Test]
    public void GridsBeyondTheWorkGroupCountAreSplitAndMatchTheOracle()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxWorkGroupCount = 3 });
        Assert.That(device.ResourceLimits.MaxWorkGroupCount, Is.EqualTo((3u, 3u, 3u)));
        GpuVsCpu.Check(device, Net, 2, 1e-5, 1e-3, what: "V1 0.25/224 with grids split into 3x3x3 pieces",
            inspect: s => Assert.That(s.Dispatches.Any(d => d.Groups.X > 3 || d.Groups.Y > 3 || d.Groups.Z > 3), Is.True,
                "some grid exceeds the lowered limit"));
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>Sub-batches keep the hot path's promise: no Vulkan object and no managed allocation per run.</summary>
    [Test]
    public void SubBatchedRunCreatesNoObjectsAndAllocatesNothing()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxStorageBufferRange = (ulong)_arena2 });
        using var session = InferenceSession.Create(Net, device, new SessionOptions { Batch = 5 });
        Assert.That(session.SubBatch, Is.EqualTo(2));
        var input = GpuVsCpu.RandomArray(session.InputLength, 1);
        var output = new float[session.OutputLength];
        for (int i = 0; i < 3; i++) session.Run(input, output);
        long objects = device.ObjectsCreated, bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) session.Run(input, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        TestDevices.AssertNoValidationMessages(device);
        Assert.That(device.ObjectsCreated, Is.EqualTo(objects), "Vulkan objects created by Run");
        Assert.That(allocated, Is.Zero, "managed bytes allocated by 20 runs");
    }
}
