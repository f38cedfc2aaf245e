using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>Pipelines are created side by side (one thread per core) while a session uploads its weights: every pipeline
/// its dispatches need exists once the session does, each key once however many threads ask, with no validation message
/// (the layer also checks the threading rules of vkCreateComputePipelines and the shared pipeline cache).</summary>
public class PipelineCreationTests : GpuTest
{
    private static (string Shader, int[] SpecConstants)[] KernelsOf(InferenceSession session) =>
        [.. session.Dispatches.Select(d => (d.Shader + session.ShaderSuffix, d.SpecConstants)).DistinctBy(k => k.Item1 + ":" + string.Join(',', k.Item2))];

    [Test]
    public void SessionHasEveryPipelineBeforeItsFirstRun()
    {
        var graph = MobileNetV1.Create(0.25, 32, 10, WeightInit.Random(5));
        using var device = TestDevices.Open(new DeviceOptions());
        using var session = InferenceSession.Create(graph, device, new SessionOptions { Warmup = false });
        var kernels = KernelsOf(session);
        Assert.That(kernels, Has.Length.GreaterThan(4), "several kernels to create side by side");
        Assert.That(kernels.Where(k => !device.Pipelines.Has(k.Shader, k.SpecConstants)).Select(k => k.Shader), Is.Empty, "pipelines missing after Create");
        Assert.That(device.Pipelines.PipelineCount, Is.EqualTo(kernels.Length), "each (kernel, constants) once, nothing else");

        var input = GpuVsCpu.RandomArray(session.InputLength, 6);
        var output = session.Run(input);
        Assert.That(device.Pipelines.PipelineCount, Is.EqualTo(kernels.Length), "the first run (host floats in) creates no pipeline");
        GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, input), 1e-4, 1e-3, "MobileNetV1 0.25 at 32x32");
        TestDevices.AssertNoValidationMessages(device);
    }

    [Test]
    public void ThreadsAskingForTheSameKernelsGetOnePipelinePerKernel()
    {
        // The keys of a real network, planned on the shared device; created here on a fresh one.
        using var planned = InferenceSession.Create(MobileNetV2.Create(0.35, 32, 10, WeightInit.Random(8)), Device, new SessionOptions { Warmup = false });
        var kernels = KernelsOf(planned);
        using var device = TestDevices.Open(new DeviceOptions());
        var library = device.Pipelines; // its layouts are created on first use
        long objects = device.ObjectsCreated;

        // A batch creation with every key three times, and four threads asking for all of them at once beside it.
        var batch = library.CreateAllAsync([.. kernels, .. kernels, .. kernels]);
        var seen = new Silk.NET.Vulkan.Pipeline[4][];
        Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = seen.Length },
            t => seen[t] = [.. kernels.Select(k => library.Get(k.Shader, k.SpecConstants))]);
        batch.GetAwaiter().GetResult();

        for (int t = 1; t < seen.Length; t++)
            Assert.That(seen[t].Select(p => p.Handle), Is.EqualTo(seen[0].Select(p => p.Handle)), $"thread {t} got other pipelines");
        Assert.That(seen[0].Select(p => p.Handle).Distinct().Count(), Is.EqualTo(kernels.Length), "one pipeline per kernel");
        Assert.That(library.PipelineCount, Is.EqualTo(kernels.Length));
        int modules = kernels.Select(k => k.Shader).Distinct().Count();
        Assert.That(device.ObjectsCreated - objects, Is.EqualTo(kernels.Length + modules), "Vulkan objects: one pipeline per kernel, one module per shader");
        Assert.That(library.CreateAllAsync(kernels).IsCompleted, Is.True, "nothing left to create");
        TestDevices.AssertNoValidationMessages(device);
    }
}
