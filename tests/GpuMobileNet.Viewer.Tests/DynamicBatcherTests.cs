using GpuMobileNet.Viewer.Serving;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The dynamic batcher on its own, with a stand-in for the device run that records each batch and can be held
/// (so what is queued while a run is in flight is known): it gathers, keeps within the max batch, never mixes frames
/// and tensors, refuses beyond the queue bound, and drops requests that time out before their run.</summary>
public class DynamicBatcherTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>A run that doubles every value, records the batch's sample counts and kinds, and waits for
    /// <see cref="Gate"/> when one is set.</summary>
    private sealed class FakeDevice
    {
        public List<(int[] Samples, bool Frames)> Batches { get; } = [];
        public SemaphoreSlim? Gate { get; set; }
        public SemaphoreSlim Started { get; } = new(0);

        public BatchRun Run(int instance, IReadOnlyList<BatchInput> items)
        {
            lock (Batches) Batches.Add((items.Select(i => i.Samples).ToArray(), items[0].IsFrames));
            Started.Release();
            Gate?.Wait();
            var outputs = items.Select(i => new[] { i.IsFrames ? i.Frames!.Select(f => (float)f.Width).ToArray() : i.Tensors![0].Select(v => 2 * v).ToArray() }).ToList();
            return new BatchRun(outputs, 0, 1, 0);
        }
    }

    private static BatchInput Tensor(int samples, float value) => BatchInput.FromTensors(samples, [Enumerable.Repeat(value, samples).ToArray()]);

    private static BatchInput Frame(int width) => BatchInput.FromFrames([new RgbaFrame(new byte[width * 4], width, 1)]);

    /// <summary>A batcher whose device holds its first run (one sample of 1) until the test releases <see cref="FakeDevice.Gate"/>.</summary>
    private static async Task<(FakeDevice Device, DynamicBatcher Batcher, Task<float[][]> Running)> HoldAsync(ServingOptions options)
    {
        var device = new FakeDevice { Gate = new SemaphoreSlim(0) };
        var batcher = new DynamicBatcher(options, device.Run, new ModelMetrics("fake"));
        var running = batcher.SubmitAsync(Tensor(1, 1), Long, default);
        Assert.That(await device.Started.WaitAsync(Long), Is.True, "the first request never ran");
        return (device, batcher, running);
    }

    /// <summary>Holds the device on a first request, queues more, then lets go: they run together, up to the max batch.</summary>
    private static async Task<(FakeDevice Device, Task<float[][]>[] Results)> QueueBehindAHeldRunAsync(ServingOptions options, BatchInput[] more)
    {
        var (device, batcher, first) = await HoldAsync(options);
        var rest = more.Select(m => batcher.SubmitAsync(m, Long, default)).ToArray();
        device.Gate!.Release(int.MaxValue / 2);
        await Task.WhenAll([first, .. rest]);
        await batcher.StopAsync();
        return (device, [first, .. rest]);
    }

    [Test]
    public async Task RequestsQueuedDuringARunAreGatheredIntoOneRunWithTheirOwnResults()
    {
        var (device, results) = await QueueBehindAHeldRunAsync(new ServingOptions { MaxBatchSize = 8 }, [Tensor(1, 2), Tensor(2, 3), Tensor(1, 4)]);
        Assert.That(device.Batches.Select(b => b.Samples), Is.EqualTo(new[] { new[] { 1 }, new[] { 1, 2, 1 } }));
        Assert.That(results.Select(r => r.Result[0]), Is.EqualTo(new[] { new[] { 2f }, new[] { 4f }, new[] { 6f, 6f }, new[] { 8f } }));
    }

    [Test]
    public async Task ABatchNeverExceedsTheMaxBatchSize()
    {
        var (device, _) = await QueueBehindAHeldRunAsync(new ServingOptions { MaxBatchSize = 4 }, [Tensor(3, 1), Tensor(2, 1), Tensor(1, 1), Tensor(4, 1)]);
        Assert.That(device.Batches.Select(b => b.Samples.Sum()), Has.All.LessThanOrEqualTo(4));
        Assert.That(device.Batches.Sum(b => b.Samples.Sum()), Is.EqualTo(11), "every sample ran once");
        Assert.That(device.Batches.Select(b => b.Samples), Has.Some.EqualTo(new[] { 3, 1 }), "a later request that fits joins an earlier batch");
    }

    [Test]
    public async Task FramesAndTensorsAreNeverMixedInOneRun()
    {
        var (device, results) = await QueueBehindAHeldRunAsync(new ServingOptions { MaxBatchSize = 8 }, [Frame(5), Tensor(1, 1), Frame(7)]);
        Assert.That(device.Batches.Select(b => (b.Samples.Length, b.Frames)), Is.EqualTo(new[] { (1, false), (1, true), (1, false) }).Or.EqualTo(new[] { (1, false), (2, true), (1, false) }));
        Assert.That(results[1].Result[0], Is.EqualTo(new[] { 5f }));
        Assert.That(results[3].Result[0], Is.EqualTo(new[] { 7f }));
    }

    [Test]
    public async Task WithoutDynamicBatchingEachRequestRunsAlone()
    {
        var (device, _) = await QueueBehindAHeldRunAsync(new ServingOptions { DynamicBatching = false }, [Tensor(1, 1), Tensor(2, 1)]);
        Assert.That(device.Batches.Select(b => b.Samples), Is.EqualTo(new[] { new[] { 1 }, new[] { 1 }, new[] { 2 } }));
    }

    [Test]
    public async Task AFullQueueRefusesAtOnceAndTheQueuedOnesStillRun()
    {
        var (device, batcher, running) = await HoldAsync(new ServingOptions { MaxQueueSize = 2 });
        var queued = new[] { batcher.SubmitAsync(Tensor(1, 2), Long, default), batcher.SubmitAsync(Tensor(1, 3), Long, default) };
        var refused = await Assert.ThrowsAsync<ServingException>(() => batcher.SubmitAsync(Tensor(1, 4), Long, default));
        Assert.That(refused!.Kind, Is.EqualTo(ServingError.QueueFull));
        Assert.That(refused.Message, Does.Contain("queue is full (2 requests waiting)"));
        device.Gate!.Release(100);
        Assert.That((await Task.WhenAll(queued)).Select(r => r[0][0]), Is.EqualTo(new[] { 4f, 6f }));
        await running;
        await batcher.StopAsync();
    }

    [Test]
    public async Task QueuedInputsAreBoundedByTotalBytesAndLeavingTheQueueGivesThemBack()
    {
        // 100 floats (400 bytes) a request against a 1000-byte bound: two wait, the third is refused although the
        // queue has room for 64 requests; a timed-out one and the taken ones give their bytes back.
        var (device, batcher, running) = await HoldAsync(new ServingOptions { MaxQueueBytes = 1000, MaxBatchSize = 1 });
        Assert.That(batcher.QueuedBytes, Is.Zero, "the running request left the queue");
        var queued = new[] { batcher.SubmitAsync(Tensor(100, 2), Long, default), batcher.SubmitAsync(Tensor(100, 3), Long, default) };
        Assert.That(batcher.QueuedBytes, Is.EqualTo(800));
        var refused = await Assert.ThrowsAsync<ServingException>(() => batcher.SubmitAsync(Tensor(100, 4), Long, default));
        Assert.That(refused!.Kind, Is.EqualTo(ServingError.QueueFull));
        Assert.That(refused.Message, Does.Contain("800 bytes of inputs waiting; this request's 400 would pass the 1000-byte limit"));
        Assert.That(batcher.QueuedBytes, Is.EqualTo(800), "the refused request holds nothing");
        Assert.That(batcher.IsFull, Is.False, "a smaller request still fits");
        await Assert.ThrowsAsync<ServingException>(() => batcher.SubmitAsync(Tensor(50, 5), TimeSpan.FromMilliseconds(20), default));
        Assert.That(batcher.QueuedBytes, Is.EqualTo(800), "the timed-out request gave its 200 bytes back");
        device.Gate!.Release(100);
        Assert.That((await Task.WhenAll(queued)).Select(r => r[0][0]), Is.EqualTo(new[] { 4f, 6f }));
        await running;
        Assert.That(batcher.QueuedBytes, Is.Zero);
        Assert.That(await batcher.SubmitAsync(Tensor(300, 1), Long, default), Has.Exactly(1).Items, "one request larger than the bound runs when the queue is empty");
        await batcher.StopAsync();
    }

    [Test]
    public async Task ARequestThatTimesOutInTheQueueAnswersAndNeverRuns()
    {
        var (device, batcher, running) = await HoldAsync(new ServingOptions());
        var late = await Assert.ThrowsAsync<ServingException>(() => batcher.SubmitAsync(Tensor(5, 1), TimeSpan.FromMilliseconds(50), default));
        Assert.That(late!.Kind, Is.EqualTo(ServingError.Timeout));
        Assert.That(late.Message, Does.Contain("timed out after 50 ms waiting in the queue"));
        device.Gate!.Release(100);
        await running;
        await batcher.StopAsync();
        Assert.That(device.Batches.SelectMany(b => b.Samples), Does.Not.Contain(5), "the timed-out request was dropped");
    }

    [Test]
    public async Task TheBatcherWaitsUpToTheQueueDelayForMoreRequests()
    {
        var device = new FakeDevice();
        var batcher = new DynamicBatcher(new ServingOptions { MaxQueueDelay = TimeSpan.FromSeconds(20), MaxBatchSize = 3 }, device.Run, new ModelMetrics("fake"));
        var results = new List<Task<float[][]>>();
        for (int i = 0; i < 3; i++) results.Add(batcher.SubmitAsync(Tensor(1, i), Long, default)); // the third fills the batch: no 20 s wait
        await Task.WhenAll(results);
        await batcher.StopAsync();
        Assert.That(device.Batches.Select(b => b.Samples), Is.EqualTo(new[] { new[] { 1, 1, 1 } }));
    }

    [Test]
    public async Task StoppingRunsWhatIsQueuedAndRefusesNewRequests()
    {
        var (device, batcher, running) = await HoldAsync(new ServingOptions());
        var queued = batcher.SubmitAsync(Tensor(1, 2), Long, default);
        var stop = batcher.StopAsync();
        var refused = await Assert.ThrowsAsync<ServingException>(() => batcher.SubmitAsync(Tensor(1, 3), Long, default));
        Assert.That(refused!.Kind, Is.EqualTo(ServingError.Unavailable));
        device.Gate!.Release(100);
        await stop;
        Assert.That((await queued)[0], Is.EqualTo(new[] { 4f }));
        await running;
    }
}
