using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
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

        long objects = Device.ObjectsCreated;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) session.Run(input, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;

        Assert.That(Device.ObjectsCreated, Is.EqualTo(objects), "Vulkan objects created by Run");
        Assert.That(allocated, Is.Zero, "managed bytes allocated by 20 runs");
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
