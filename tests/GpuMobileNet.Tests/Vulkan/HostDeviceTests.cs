using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using Silk.NET.Vulkan;
using V1 = GpuMobileNet.Models.MobileNetV1;
using VkSemaphore = Silk.NET.Vulkan.Semaphore;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>The test plays a game engine: it creates its own instance (validation on, its own messenger) and device,
/// adopts them with <see cref="VulkanDevice.FromHost"/>, chains inference between its own queue work with semaphores,
/// and checks the result against the CPU path, that disposing the engine leaves its device alive, and that 1,000 runs
/// create no Vulkan object.</summary>
public unsafe class HostDeviceTests
{
    private HostVulkan _host = null!;
    private Vk _vk = null!;
    private Instance _instance;
    private PhysicalDevice _physical;
    private Device _device;
    private Queue _queue;
    private uint _family;

    [OneTimeSetUp]
    public void CreateHostDevice()
    {
        _host = new HostVulkan();
        (_vk, _instance, _physical, _device, _queue, _family) = (_host.Vk, _host.Instance, _host.Physical, _host.Device, _host.Queue, _host.Family);
    }

    /// <summary>Per test, not only at the end: NUnit does not count a failed OneTimeTearDown as a failed test.</summary>
    [TearDown]
    public void NoValidationMessages()
    {
        var seen = _host.TakeMessages();
        Assert.That(seen, Is.Empty, "validation messages:\n" + string.Join("\n", seen));
    }

    [OneTimeTearDown]
    public void DestroyHostDevice()
    {
        _host.Dispose();
        var seen = _host.TakeMessages();
        Assert.That(seen, Is.Empty, "validation messages:\n" + string.Join("\n", seen));
    }

    private VulkanDevice Adopt(HostDeviceFeatures? features = null) => _host.Adopt(features);

    private VkSemaphore CreateSemaphore() => _host.CreateSemaphore();

    /// <summary>Host work → inference → host work, chained by two semaphores on the host's queue; the host waits on its
    /// own fence only.</summary>
    [Test]
    public void InferenceBetweenTheHostsOwnQueueWorkMatchesTheCpuPath()
    {
        var graph = V1.Create(0.25, 64, 7, WeightInit.Random(51));
        var input = GpuVsCpu.RandomArray(graph.Input.Shape.Elements, 9);
        var expected = ReferenceExecutor.Run(graph, input);
        var ready = CreateSemaphore();
        var done = CreateSemaphore();
        var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo };
        _vk.CreateFence(_device, in fenceInfo, null, out var hostFence);
        var queueLock = new object();
        try
        {
            using (var device = Adopt(new HostDeviceFeatures { QueueLock = queueLock }))
            using (var session = InferenceSession.Create(graph, device))
            {
                Assert.That(device.OwnsHandles, Is.False);
                // The host's "frame": an empty submission that signals `ready`; inference waits on it and signals `done`;
                // the host's next submission waits on `done` and signals its own fence.
                var signal = ready;
                var first = new SubmitInfo { SType = StructureType.SubmitInfo, SignalSemaphoreCount = 1, PSignalSemaphores = &signal };
                lock (queueLock)
                    Assert.That(_vk.QueueSubmit(_queue, 1, in first, default), Is.EqualTo(Result.Success));
                var pending = session.Submit(input, waitSemaphore: ready.Handle, signalSemaphore: done.Handle);
                var wait = done;
                var stage = PipelineStageFlags.AllCommandsBit;
                var next = new SubmitInfo { SType = StructureType.SubmitInfo, WaitSemaphoreCount = 1, PWaitSemaphores = &wait, PWaitDstStageMask = &stage };
                lock (queueLock)
                    Assert.That(_vk.QueueSubmit(_queue, 1, in next, hostFence), Is.EqualTo(Result.Success));
                Assert.That(_vk.WaitForFences(_device, 1, in hostFence, true, ulong.MaxValue), Is.EqualTo(Result.Success));
                var output = new float[session.OutputLength];
                pending.GetOutput(output);
                Assert.That(pending.IsCompleted, Is.True);
                GpuVsCpu.AssertClose(output, expected, 1e-5, 1e-4, "inference on the host's device and queue");
            }
            // The engine is gone; the host's device still works.
            Assert.That(_vk.DeviceWaitIdle(_device), Is.EqualTo(Result.Success));
        }
        finally
        {
            _vk.DestroyFence(_device, hostFence, null);
            _vk.DestroySemaphore(_device, ready, null);
            _vk.DestroySemaphore(_device, done, null);
        }
    }

    [Test]
    public void ThousandRunsCreateNoVulkanObjects()
    {
        using var device = Adopt();
        using var session = InferenceSession.Create(V1.Create(0.25, 32, 3, WeightInit.Random(52)), device);
        var input = GpuVsCpu.RandomArray(session.InputLength, 2);
        var output = new float[session.OutputLength];
        var first = session.Run(input);
        long objects = device.ObjectsCreated;
        for (int i = 0; i < 1000; i++) session.Run(input, output);
        Assert.That(device.ObjectsCreated, Is.EqualTo(objects));
        Assert.That(output, Is.EqualTo(first));
    }

    [Test]
    public void FeaturesTheDeviceLacksOrNullHandlesAreNamed()
    {
        var ex = Assert.Throws<VulkanException>(() => VulkanDevice.FromHost(_instance.Handle, _physical.Handle, 0, _family, _queue.Handle));
        Assert.That(ex!.Message, Does.Contain("device handle is null"));
        ex = Assert.Throws<VulkanException>(() => VulkanDevice.FromHost(_instance.Handle, _physical.Handle, _device.Handle, 99, _queue.Handle));
        Assert.That(ex!.Message, Does.Contain("queue family 99"));
    }

    /// <summary>fp16 is used only where the host says it enabled it (the engine cannot ask the device).</summary>
    [Test]
    public void Fp16IsOffUnlessTheHostEnabledIt()
    {
        using var device = Adopt();
        Assert.That(device.SupportsFloat16Storage, Is.False);
        Assert.Throws<NotSupportedException>(() => InferenceSession.Create(V1.Create(0.25, 32, 3, WeightInit.Random(53)), device,
            new SessionOptions { Precision = Precision.Float16Storage }));
    }

    /// <summary>A real photo uploaded by the host into its own VkImage (RGBA8, and BGRA8 with the bytes swapped) goes
    /// through RunFromImage (copied, resized and normalised on the device) and gives what the CPU path gives.</summary>
    [TestCase(HostImageFormat.Rgba8)]
    [TestCase(HostImageFormat.Bgra8)]
    public void PhotoInTheHostsImageMatchesTheCpuPath(HostImageFormat format)
    {
        var photo = ImageLoader.Load(Path.Combine(TestPaths.RepoRoot, "models", "cache", "photos", "chelsea.png"));
        var texels = FeatureExtractor.ToRgba(photo);
        if (format == HostImageFormat.Bgra8)
            for (int i = 0; i < texels.Length; i += 4) (texels[i], texels[i + 2]) = (texels[i + 2], texels[i]);
        var vkFormat = format == HostImageFormat.Bgra8 ? Format.B8G8R8A8Unorm : Format.R8G8B8A8Unorm;
        using var upload = new HostImageUpload(_vk, _physical, _device, _queue, _family, vkFormat, photo.Width, photo.Height, texels);
        var graph = V1.Create(0.25, 96, 7, WeightInit.Random(54));
        using var device = Adopt();
        using var session = InferenceSession.Create(graph, device);
        var fromImage = new float[session.OutputLength];
        for (int run = 0; run < 2; run++) // the second run replays the recorded copy
            session.RunFromImage(upload.Image.Handle, photo.Width, photo.Height, format, ImageLayout.ShaderReadOnlyOptimal, fromImage);
        var cpu = ReferenceExecutor.Run(graph, ImagePreprocessor.ToTensor(photo, 96, 96));
        GpuVsCpu.AssertClose(fromImage, cpu, 1e-4, 1e-4, $"chelsea.png through the host's {vkFormat} image");
    }
}
