using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using V1 = GpuMobileNet.Models.MobileNetV1;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Session;

/// <summary>An IoBinding on an fp16-storage session: the bound buffers hold halves (ActivationBytes = 2), copied as they
/// are. The "host's" buffers are plain storage buffers on the shared device.</summary>
public class IoBindingFloat16Tests : GpuTest
{
    [Test]
    public void BoundBuffersHoldHalvesInFloat16Storage()
    {
        Assert.That(Device.SupportsFloat16Storage, Is.True, "the test device (lavapipe) has 16-bit storage; a device without it cannot run this test");
        var graph = V1.Create(0.25, 32, 5, WeightInit.Random(65));
        using var session = InferenceSession.Create(graph, Device, new SessionOptions { Precision = Precision.Float16Storage });
        Assert.That(session.ActivationBytes, Is.EqualTo(2));
        var input = GpuVsCpu.RandomArray(session.InputLength, 14);
        using var hostIn = GpuBuffer.CreateStaging(Device, (ulong)input.Length * 2 + 6);
        using var hostOut = GpuBuffer.CreateStaging(Device, (ulong)session.OutputLength * 2 + 2);
        var halves = hostIn.AsSpan<Half>(6, input.Length);
        for (int i = 0; i < input.Length; i++) halves[i] = (Half)input[i];
        using var binding = session.CreateIoBinding().BindInput(hostIn.Handle.Handle, hostIn.Bytes, 6).BindOutput(hostOut.Handle.Handle, hostOut.Bytes, 2);
        session.Run(binding);
        var output = hostOut.AsSpan<Half>(2, session.OutputLength).ToArray().Select(h => (float)h).ToArray();
        GpuVsCpu.AssertClose(output, ReferenceExecutor.Run(graph, input), 5e-3, 5e-3, "fp16 output in the bound buffer");
    }
}
