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

    /// <summary>The same for what a binding records (frame slots, staging for host floats) on a frame-fed session with
    /// the features as an extra output, batch 2: freed by the session's Dispose, the binding left undisposed.</summary>
    [TestCaseSource(nameof(Modes))]
    public void DisposeFreesWhatBindingsRecorded(DeviceMemoryMode mode, bool nonCoherent)
    {
        var graph = IoBindingSourceTests.Classifier();
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = mode, TreatMemoryAsNonCoherent = nonCoherent });
        long before = device.AllocatedBytes;
        var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 2 });
        var pixels = new byte[37 * 29 * 3];
        new Random(3).NextBytes(pixels);
        var frame = new GpuMobileNet.Imaging.RgbImage(37, 29, pixels);
        var rgba = GpuMobileNet.Teach.FeatureExtractor.ToRgba(frame);
        var features = new float[2 * 8];
        var binding = session.CreateIoBinding().BindFrame("image", 0, rgba, 37, 29).BindFrame("image", 1, rgba, 37, 29).BindOutput("features", features);
        session.Run(binding);
        long withBinding = device.AllocatedBytes;
        var tensor = GpuMobileNet.Imaging.ImagePreprocessor.ToTensor(frame, graph.Input.Shape.W, graph.Input.Shape.H);
        var expected = ReferenceExecutor.RunAll(graph, [.. tensor, .. tensor], 2)[graph.ExtraOutputs[0]];
        GpuVsCpu.AssertClose(features, expected, 1e-4, 1e-3, $"{mode}, non-coherent {nonCoherent}: features");
        session.Dispose();
        Assert.That(withBinding, Is.GreaterThan(before), "the counter moves");
        Assert.That(device.AllocatedBytes, Is.EqualTo(before), "device bytes still allocated after Dispose");
        TestDevices.AssertNoValidationMessages(device);
    }
}
