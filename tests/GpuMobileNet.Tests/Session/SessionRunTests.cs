using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>The hot path: after session creation, Run creates no Vulkan objects and allocates no managed memory.</summary>
public class SessionRunTests : GpuTest
{
    [TestCase(Precision.Float32)]
    [TestCase(Precision.Float16)]
    public void RunCreatesNoVulkanObjectsAndAllocatesNothing(Precision precision)
    {
        var graph = MobileNetV2.Create(0.35, 96, 10, WeightInit.Random(21));
        using var session = InferenceSession.Create(graph, Device, new SessionOptions { Precision = precision, Batch = 2 });
        var input = GpuVsCpu.RandomArray(session.InputLength, 1);
        var output = new float[session.OutputLength];
        session.Run(input, output);
        AssertSteadyState(Device, () => session.Run(input, output), "Run");
    }

    /// <summary>20 calls of <paramref name="run"/> (after a first one) create no Vulkan object on <paramref name="device"/>
    /// and allocate no managed byte.</summary>
    private static void AssertSteadyState(VulkanDevice device, Action run, string what)
    {
        long objects = device.ObjectsCreated;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Assert.That(device.ObjectsCreated, Is.EqualTo(objects), $"Vulkan objects created by {what}");
        Assert.That(allocated, Is.Zero, $"managed bytes allocated by 20 calls of {what}");
    }

    /// <summary>The one way to run in steady state: a binding with a frame per sample (new pixels bound each run, as a
    /// camera loop does), host floats in for nothing else, the scores and the pooled features out to host floats, batch 2,
    /// mapped and staged memory (the staged session also runs as sub-batches of 1): no Vulkan object, no managed byte.</summary>
    [TestCase(DeviceMemoryMode.Mapped)]
    [TestCase(DeviceMemoryMode.Staged)]
    public void BindingRunsCreateNoVulkanObjectsAndAllocateNothing(DeviceMemoryMode mode)
    {
        var graph = IoBindingSourceTests.Classifier();
        long arena1;
        using (var one = InferenceSession.Create(graph, Device, new SessionOptions { Warmup = false }))
            arena1 = one.ArenaBytes;
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = mode, MaxStorageBufferRange = mode == DeviceMemoryMode.Staged ? (ulong)arena1 : null });
        using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 2 });
        Assert.That(session.SubBatch, Is.EqualTo(mode == DeviceMemoryMode.Staged ? 1 : 2), "the sub-batch path under test");
        var frames = new[] { new byte[4 * 40 * 30], new byte[4 * 40 * 30] };
        new Random(5).NextBytes(frames[0]);
        new Random(6).NextBytes(frames[1]);
        var scores = new float[session.OutputLength];
        var features = new float[2 * 8];
        using var binding = session.CreateIoBinding().BindOutput("scores", scores).BindOutput("features", features);
        void RunOnce(int i)
        {
            binding.BindFrame("image", 0, frames[i % 2], 40, 30).BindFrame("image", 1, frames[(i + 1) % 2], 40, 30);
            session.Run(binding);
        }
        RunOnce(0);
        var first = scores.ToArray();

        long objects = device.ObjectsCreated;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= 20; i++) RunOnce(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;

        Assert.That(device.ObjectsCreated, Is.EqualTo(objects), "Vulkan objects created by binding runs");
        Assert.That(allocated, Is.Zero, "managed bytes allocated by 20 binding runs");
        RunOnce(21);
        Assert.That(scores.AsSpan(0, 5).ToArray(), Is.EqualTo(first.AsSpan(5, 5).ToArray()).Within(1e-6), "the frames swapped samples (the new pixels were read)");
        Assert.That(scores.AsSpan(0, 5).ToArray(), Is.Not.EqualTo(first.AsSpan(0, 5).ToArray()), "the two frames give different scores");
        Assert.That(features, Has.Some.Not.Zero, "features were written");
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>The span forms run through the binding the session keeps, also on a staged session run as sub-batches of 1:
    /// the output agrees with the oracle, steady-state runs create no Vulkan object and allocate nothing, and a profiling
    /// session's result times every dispatch of every sub-batch (the session's own dispatches ran, in order).</summary>
    [Test]
    public void SpanRunOfAStagedSubBatchedSessionGoesThroughItsBinding()
    {
        var graph = IoBindingSourceTests.Classifier();
        long arena1;
        using (var one = InferenceSession.Create(graph, Device, new SessionOptions { Warmup = false }))
            arena1 = one.ArenaBytes;
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = DeviceMemoryMode.Staged, MaxStorageBufferRange = (ulong)arena1 });
        using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 3 });
        Assert.That(session.SubBatch, Is.EqualTo(1), "the sub-batch path under test");
        var input = GpuVsCpu.RandomArray(session.InputLength, 7);
        var output = new float[session.OutputLength];
        var plain = session.Run(input, output);
        GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, input, 3), 1e-5, 1e-3, "span Run, staged, sub-batches of 1");
        Assert.That(plain.Layers, Is.Empty, "no per-dispatch times without profiling");
        AssertSteadyState(device, () => session.Run(input, output), "the span Run");

        using var profiled = InferenceSession.Create(graph, device, new SessionOptions { Batch = 3, Profiling = true });
        var layers = profiled.Run(input, output).Layers;
        var perSubBatch = profiled.Dispatches.Select(d => d.Shader).ToList();
        Assert.That(layers.Select(l => l.Kernel), Is.EqualTo(perSubBatch.Concat(perSubBatch).Concat(perSubBatch)), "every dispatch of the 3 sub-batches timed");
        Assert.That(layers.Select(l => l.Milliseconds), Has.All.GreaterThanOrEqualTo(0.0));
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void CreatingASessionDoesCreateObjects()
    {
        // The counter itself must move, or the test above proves nothing.
        long before = Device.ObjectsCreated;
        using var session = InferenceSession.Create(MobileNetV1.Create(0.25, 64, 5, WeightInit.Random(22)), Device);
        Assert.That(Device.ObjectsCreated, Is.GreaterThan(before));
    }

    [Test]
    public void WrongInputLengthNamesTheExpectedShape()
    {
        using var session = InferenceSession.Create(MobileNetV1.Create(0.25, 64, 5, WeightInit.Random(22)), Device);
        var ex = Assert.Throws<ArgumentException>(() => session.Run(new float[10]));
        Assert.That(ex!.Message, Does.Contain("3x64x64").And.Contain("10"));
    }

    [Test]
    public void SessionsCreatedAndRunFromSeveralThreadsAgreeWithTheOracle()
    {
        var graph = MobileNetV1.Create(0.25, 64, 5, WeightInit.Random(23));
        var input = GpuVsCpu.RandomArray(graph.Input.Shape.Elements, 2);
        var expected = ReferenceExecutor.Run(graph, input);
        var results = new float[4][];
        Parallel.For(0, results.Length, i =>
        {
            using var session = InferenceSession.Create(graph, Device);
            for (int r = 0; r < 5; r++) results[i] = session.Run(input);
        });
        foreach (var r in results) GpuVsCpu.AssertClose(r, expected, 1e-5, 1e-3, "threaded session");
    }
}
