using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Dispose while another thread is inside Run waits for that run (it used to destroy the command pool under
/// in-flight work: VUID-vkDestroyCommandPool-commandPool-00041); runs after it throw ObjectDisposedException.
/// GpuTest fails the test on any validation message.</summary>
public class SessionDisposeTests : GpuTest
{
    [Test]
    public void DisposeDuringRunsWaitsAndLaterRunsThrowObjectDisposed()
    {
        var graph = MobileNetV1.Create(0.25, 96, 5, WeightInit.Random(31));
        var session = InferenceSession.Create(graph, Device, new SessionOptions { Batch = 4 });
        var input = GpuVsCpu.RandomArray(session.InputLength, 3);
        var output = new float[session.OutputLength];
        int completed = 0;
        Exception? failure = null;
        using var started = new ManualResetEventSlim();
        var runner = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    session.Run(input, output);
                    Interlocked.Increment(ref completed);
                    started.Set();
                }
            }
            catch (Exception e) { failure = e; }
        });
        runner.Start();
        Assert.That(started.Wait(TimeSpan.FromMinutes(10)), Is.True, "the runner completed a run");
        session.Dispose();
        Assert.That(runner.Join(TimeSpan.FromMinutes(10)), Is.True, "the runner stopped");
        Assert.That(failure, Is.InstanceOf<ObjectDisposedException>(), failure?.ToString());
        Assert.That(completed, Is.GreaterThanOrEqualTo(1));
        Assert.Throws<ObjectDisposedException>(() => session.Run(input, output));
        session.Dispose(); // twice is harmless
    }
}
