using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using Silk.NET.Vulkan;
using V1 = GpuMobileNet.Models.MobileNetV1;
using VkSemaphore = Silk.NET.Vulkan.Semaphore;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>IoBinding from a game engine's side: the host owns the device and the buffers; its own GPU work writes the
/// input into a device-local buffer (at an odd offset), inference reads it there and writes its outputs into the host's
/// buffers, and the host's next GPU work copies them to where it reads them. Chained by semaphores, no CPU copy of the
/// tensors; compared with the CPU oracle; validation clean after every test.</summary>
public unsafe class HostBufferBindingTests
{
    private const BufferUsageFlags TransferBoth = BufferUsageFlags.TransferSrcBit | BufferUsageFlags.TransferDstBit;
    private const MemoryPropertyFlags HostVisible = MemoryPropertyFlags.HostVisibleBit | MemoryPropertyFlags.HostCoherentBit;
    private HostVulkan _host = null!;
    private CommandPool _pool;

    [OneTimeSetUp]
    public void CreateHost()
    {
        _host = new HostVulkan();
        var info = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, QueueFamilyIndex = _host.Family };
        Assert.That(_host.Vk.CreateCommandPool(_host.Device, in info, null, out _pool), Is.EqualTo(Result.Success));
    }

    [TearDown]
    public void NoValidationMessages()
    {
        var seen = _host.TakeMessages();
        Assert.That(seen, Is.Empty, "validation messages:\n" + string.Join("\n", seen));
    }

    [OneTimeTearDown]
    public void DestroyHost()
    {
        _host.Vk.DestroyCommandPool(_host.Device, _pool, null);
        _host.Dispose();
    }

    /// <summary>One submission of the host's own commands, waiting on / signalling semaphores (0 for none).</summary>
    private void HostSubmit(Action<CommandBuffer> record, VkSemaphore wait, VkSemaphore signal, Fence fence)
    {
        var vk = _host.Vk;
        var alloc = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = _pool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        vk.AllocateCommandBuffers(_host.Device, in alloc, out var cb);
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        vk.BeginCommandBuffer(cb, in begin);
        record(cb);
        vk.EndCommandBuffer(cb);
        var stage = PipelineStageFlags.TransferBit;
        var submit = new SubmitInfo
        {
            SType = StructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &cb,
            WaitSemaphoreCount = wait.Handle != 0 ? 1u : 0, PWaitSemaphores = &wait, PWaitDstStageMask = &stage,
            SignalSemaphoreCount = signal.Handle != 0 ? 1u : 0, PSignalSemaphores = &signal,
        };
        Assert.That(vk.QueueSubmit(_host.Queue, 1, in submit, fence), Is.EqualTo(Result.Success));
        if (fence.Handle != 0)
        {
            vk.WaitForFences(_host.Device, 1, in fence, true, ulong.MaxValue);
            vk.ResetFences(_host.Device, 1, in fence);
        }
        else vk.QueueWaitIdle(_host.Queue); // the command buffer must outlive its execution
        vk.FreeCommandBuffers(_host.Device, _pool, 1, in cb);
    }

    private void Copy(CommandBuffer cb, HostVulkan.HostBuffer src, ulong srcOffset, HostVulkan.HostBuffer dst, ulong dstOffset, ulong bytes)
    {
        var region = new BufferCopy(srcOffset, dstOffset, bytes);
        _host.Vk.CmdCopyBuffer(cb, src.Handle, dst.Handle, 1, in region);
    }

    /// <summary>Batch 2, the main output and an intermediate one bound at odd offsets of one host buffer.</summary>
    [Test]
    public void InputAndOutputsInTheHostsBuffersMatchTheCpuPath()
    {
        var full = V1.Create(0.25, 64, 7, WeightInit.Random(61));
        var pooled = full.Nodes.Last(n => n.OpType == "AvgPool").Output;
        var graph = full.WithExtraOutputs(pooled.Name);
        const int batch = 2;
        var input = GpuVsCpu.RandomArray(batch * graph.Input.Shape.Elements, 11);
        var expected = ReferenceExecutor.RunAll(graph, input, batch);
        ulong inBytes = (ulong)input.Length * 4, outBytes = (ulong)(batch * graph.Output.Shape.Elements) * 4;
        ulong pooledBytes = (ulong)(batch * pooled.Shape.Elements) * 4;
        const ulong inOffset = 36, outOffset = 20, pooledOffset = 20 + 4 * 1024;

        using var upload = _host.CreateBuffer(inBytes, BufferUsageFlags.TransferSrcBit, HostVisible);
        using var gpuInput = _host.CreateBuffer(inBytes + 100, TransferBoth, MemoryPropertyFlags.DeviceLocalBit);
        using var gpuOutputs = _host.CreateBuffer(pooledOffset + pooledBytes + 8, TransferBoth, MemoryPropertyFlags.DeviceLocalBit);
        using var readback = _host.CreateBuffer(gpuOutputs.Bytes, BufferUsageFlags.TransferDstBit, HostVisible);
        input.CopyTo(upload.Floats(0, input.Length));
        var ready = _host.CreateSemaphore();
        var done = _host.CreateSemaphore();
        var fence = _host.CreateFence();
        try
        {
            using var device = _host.Adopt();
            using var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = batch });
            using var binding = session.CreateIoBinding()
                .BindInput(gpuInput.Handle.Handle, gpuInput.Bytes, inOffset)
                .BindOutput(gpuOutputs.Handle.Handle, gpuOutputs.Bytes, outOffset)
                .BindOutput(pooled.Name, gpuOutputs.Handle.Handle, gpuOutputs.Bytes, pooledOffset);
            for (int frame = 0; frame < 2; frame++) // the second frame replays the recorded command buffer
            {
                HostSubmit(cb => Copy(cb, upload, 0, gpuInput, inOffset, inBytes), default, ready, default);
                var pending = session.Submit(binding, ready.Handle, done.Handle);
                HostSubmit(cb => Copy(cb, gpuOutputs, 0, readback, 0, gpuOutputs.Bytes), done, default, fence);
                GpuVsCpu.AssertClose(readback.Floats(outOffset, (int)(outBytes / 4)).ToArray(), expected[graph.Output], 1e-4, 1e-4,
                    $"frame {frame}: the main output in the host's buffer");
                GpuVsCpu.AssertClose(readback.Floats(pooledOffset, (int)(pooledBytes / 4)).ToArray(), expected[pooled], 1e-4, 1e-4,
                    $"frame {frame}: output '{pooled.Name}' in the host's buffer");
                // The same run's output can also be read back through the session.
                var viaSession = new float[session.OutputLength];
                pending.GetOutput(viaSession);
                GpuVsCpu.AssertClose(viaSession, expected[graph.Output], 1e-4, 1e-4, $"frame {frame}: the main output read from the session");
            }
        }
        finally
        {
            _host.Vk.DestroyFence(_host.Device, fence, null);
            _host.Vk.DestroySemaphore(_host.Device, ready, null);
            _host.Vk.DestroySemaphore(_host.Device, done, null);
        }
    }

    /// <summary>Only the input bound: the output stays in the session's memory, then is read. Also with the discrete-GPU
    /// memory path forced (Staged: arena not mapped, staging copies recorded beside the binding's copies).</summary>
    [TestCase(DeviceMemoryMode.Auto)]
    [TestCase(DeviceMemoryMode.Staged)]
    public void UnboundOutputsStayOnTheDevice(DeviceMemoryMode memoryMode)
    {
        var graph = V1.Create(0.25, 32, 5, WeightInit.Random(62));
        var input = GpuVsCpu.RandomArray(graph.Input.Shape.Elements, 12);
        using var hostInput = _host.CreateBuffer((ulong)input.Length * 4 + 8, TransferBoth, HostVisible);
        input.CopyTo(hostInput.Floats(8, input.Length));
        using var device = _host.Adopt(memoryMode: memoryMode);
        using var session = InferenceSession.Create(graph, device);
        Assert.That(session.ArenaBuffer.IsHostVisible, Is.EqualTo(memoryMode != DeviceMemoryMode.Staged), "the memory path under test");
        using var binding = session.CreateIoBinding().BindInput(hostInput.Handle.Handle, hostInput.Bytes, 8);
        var pending = session.Submit(binding);
        var output = new float[session.OutputLength];
        pending.GetOutput(output);
        GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, input), 1e-4, 1e-4, "output left on the device");
    }

    [Test]
    public void ThousandRunsOnABindingCreateNoVulkanObjects()
    {
        var graph = V1.Create(0.25, 32, 3, WeightInit.Random(63));
        using var device = _host.Adopt();
        using var session = InferenceSession.Create(graph, device);
        ulong inBytes = (ulong)session.InputLength * 4, outBytes = (ulong)session.OutputLength * 4;
        using var buffer = _host.CreateBuffer(inBytes + outBytes, TransferBoth, HostVisible);
        var input = GpuVsCpu.RandomArray(session.InputLength, 13);
        input.CopyTo(buffer.Floats(0, input.Length));
        using var binding = session.CreateIoBinding().BindInput(buffer.Handle.Handle, buffer.Bytes).BindOutput(buffer.Handle.Handle, buffer.Bytes, inBytes);
        session.Run(binding);
        var first = buffer.Floats(inBytes, session.OutputLength).ToArray();
        long objects = device.ObjectsCreated;
        for (int i = 0; i < 1000; i++) session.Run(binding);
        Assert.That(device.ObjectsCreated, Is.EqualTo(objects));
        Assert.That(buffer.Floats(inBytes, session.OutputLength).ToArray(), Is.EqualTo(first));
        GpuVsCpu.AssertClose(first, ReferenceExecutor.Run(graph, input), 1e-4, 1e-4, "after 1,000 runs");
    }

    [Test]
    public void BadBindingsAreNamed()
    {
        var graph = V1.Create(0.25, 32, 3, WeightInit.Random(64));
        using var device = _host.Adopt();
        using var session = InferenceSession.Create(graph, device);
        using var other = InferenceSession.Create(graph, device);
        using var small = _host.CreateBuffer(64, TransferBoth, HostVisible);
        using var binding = session.CreateIoBinding();
        Assert.That(() => session.Run(binding), Throws.InvalidOperationException.With.Message.Contains("no source bound for input"));
        Assert.That(() => binding.BindInput(small.Handle.Handle, small.Bytes, 16),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains($"'{graph.Input.Name}'").And.Message.Contains("past the end"));
        Assert.That(() => binding.BindOutput("no_such_output", small.Handle.Handle, small.Bytes), Throws.ArgumentException.With.Message.Contains("'no_such_output'"));
        Assert.That(() => binding.BindInput(0, 1 << 20), Throws.ArgumentException.With.Message.Contains("VK_NULL_HANDLE"));
        Assert.That(() => other.Run(binding), Throws.ArgumentException.With.Message.Contains("another session"));
        binding.Dispose();
        Assert.That(() => binding.BindInput(small.Handle.Handle, small.Bytes), Throws.InstanceOf<ObjectDisposedException>());
    }
}
