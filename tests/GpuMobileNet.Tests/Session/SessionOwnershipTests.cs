using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Dispose frees everything a session made: the device's allocated bytes return to the figure before the
/// session in every memory mode, for a graph with an extra input and an extra output (the staged mode once leaked the
/// extra inputs' staging buffers, which a validation check before the device's end could not see).</summary>
public class SessionOwnershipTests
{
    private static readonly object[] Modes =
    [
        new object[] { DeviceMemoryMode.Mapped, false },
        new object[] { DeviceMemoryMode.Staged, false },
        new object[] { DeviceMemoryMode.Staged, true },
    ];

    [TestCaseSource(nameof(Modes))]
    public void DisposeReturnsEveryAllocatedByte(DeviceMemoryMode mode, bool nonCoherent)
    {
        var graph = MultiInputSessionTests.TwoInputGraph();
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = mode, TreatMemoryAsNonCoherent = nonCoherent });
        long before = device.AllocatedBytes;
        var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 3 });
        Assert.That(session.ArenaBuffer.IsHostVisible, Is.EqualTo(mode == DeviceMemoryMode.Mapped), "the memory path under test");
        var inputs = MultiInputSessionTests.Inputs(graph, 3, 71);
        var outputs = session.Run(inputs);
        GpuVsCpu.AssertClose(outputs["sum"], ReferenceExecutor.RunAll(graph, inputs, 3)[graph.Output], 1e-5, 1e-4, "before Dispose");
        Assert.That(device.AllocatedBytes, Is.GreaterThan(before), "the session holds device memory (the counter moves)");
        session.Dispose();
        Assert.That(device.AllocatedBytes, Is.EqualTo(before), "device bytes still allocated after Dispose");
        TestDevices.AssertNoValidationMessages(device);
    }
}
