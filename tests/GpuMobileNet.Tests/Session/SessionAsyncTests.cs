using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Submit / RunAsync: the caller is not blocked, two sessions on one device run at once on their own fences, the
/// output equals Run's, and a run's output cannot be read once a later run has overwritten it.</summary>
public class SessionAsyncTests : GpuTest
{
    [Test]
    public async Task TwoSessionsRunAsyncAtOnceAndMatchRun()
    {
        var a = MobileNetV1.Create(0.25, 64, 5, WeightInit.Random(61));
        var b = MobileNetV2.Create(0.35, 64, 5, WeightInit.Random(62));
        using var sa = InferenceSession.Create(a, Device, new SessionOptions { Batch = 2 });
        using var sb = InferenceSession.Create(b, Device);
        var ia = GpuVsCpu.RandomArray(sa.InputLength, 1);
        var ib = GpuVsCpu.RandomArray(sb.InputLength, 2);
        var expectedA = sa.Run(ia);
        var expectedB = sb.Run(ib);
        for (int round = 0; round < 5; round++)
        {
            var ta = sa.RunAsync(ia);
            var tb = sb.RunAsync(ib);
            var results = await Task.WhenAll(ta, tb);
            Assert.That(results[0], Is.EqualTo(expectedA), $"round {round}, session A");
            Assert.That(results[1], Is.EqualTo(expectedB), $"round {round}, session B");
        }
    }

    /// <summary>Submit on a session that runs batch 3 as sub-batches of 2 (staged memory): one submission of two command
    /// buffers, the output equal to the oracle's (it used to be refused).</summary>
    [Test]
    public void SubmitRunsASubBatchedSession()
    {
        var graph = IoBindingSourceTests.Classifier();
        long arena2;
        using (var two = InferenceSession.Create(graph, Device, new SessionOptions { Batch = 2, Warmup = false }))
            arena2 = two.ArenaBytes;
        using var device = TestDevices.Open(new GpuMobileNet.Vulkan.DeviceOptions { MemoryMode = GpuMobileNet.Vulkan.DeviceMemoryMode.Staged, MaxStorageBufferRange = (ulong)arena2 });
        using (var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 3 }))
        {
            Assert.That(session.SubBatch, Is.EqualTo(2), "the sub-batch path under test");
            var input = GpuVsCpu.RandomArray(session.InputLength, 8);
            var pending = session.Submit(input);
            var output = new float[session.OutputLength];
            pending.GetOutput(output);
            GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, input, 3), 1e-4, 1e-3, "sub-batched Submit");
        }
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void SupersededOutputIsRefusedAndRunWaitsForThePendingOne()
    {
        var graph = MobileNetV1.Create(0.25, 32, 4, WeightInit.Random(63));
        using var session = InferenceSession.Create(graph, Device);
        var x1 = GpuVsCpu.RandomArray(session.InputLength, 3);
        var x2 = GpuVsCpu.RandomArray(session.InputLength, 4);
        var first = session.Submit(x1);
        var second = session.Run(x2);            // waits for `first` before reusing the arena
        Assert.That(first.IsCompleted, Is.True);
        Assert.Throws<InvalidOperationException>(() => first.GetOutput(new float[session.OutputLength]));
        var third = session.Submit(x1);
        third.Wait();
        var output = new float[session.OutputLength];
        third.GetOutput(output);
        GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, x1), 1e-5, 1e-4, "submitted run");
        GpuVsCpu.AssertClose(second, ReferenceExecutor.Run(graph, x2), 1e-5, 1e-4, "run after a pending submit");
    }

    [Test]
    public void DisposeWaitsForAPendingSubmit()
    {
        var session = InferenceSession.Create(MobileNetV1.Create(0.25, 32, 4, WeightInit.Random(64)), Device);
        var pending = session.Submit(GpuVsCpu.RandomArray(session.InputLength, 5));
        session.Dispose();
        Assert.That(pending.IsCompleted, Is.True);
        Assert.Throws<ObjectDisposedException>(() => pending.GetOutput(new float[session.OutputLength]));
    }
}
