using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;
using V2 = GpuMobileNet.Models.MobileNetV2;
using WeightInit = GpuMobileNet.Models.WeightInit;

namespace GpuMobileNet.Tests.Networks;

/// <summary>A whole network on a device whose texel buffers reach only 64 texels (capped through
/// <see cref="DeviceOptions.MaxTexelBufferElements"/>; real devices may stop at 64K): the fallbacks that no
/// session on lavapipe otherwise takes run for real and must still match the CPU oracle, and the channel-packed
/// layout is refused with one line naming the op. <see cref="Kernels.TexelReachTests"/> checks the choices alone.</summary>
public class SmallTexelBufferTests
{
    private const ulong Texels = 64;
    private VulkanDevice _device = null!;

    [OneTimeSetUp]
    public void Open() => _device = TestDevices.Open(new DeviceOptions { MaxTexelBufferElements = Texels });

    /// <summary>Per test, not only at the end: NUnit does not count a failed OneTimeTearDown as a failed test.</summary>
    [TearDown]
    public void NoValidationMessages()
    {
        try { TestDevices.AssertNoValidationMessages(_device); }
        finally { _device.ClearValidationMessages(); }
    }

    [OneTimeTearDown]
    public void Close()
    {
        try { TestDevices.AssertNoValidationMessages(_device); }
        finally { _device.Dispose(); }
    }

    [Test]
    public void TheDeviceReportsTheCap() => Assert.That(_device.MaxTexelBufferElements, Is.EqualTo(Texels));

    [Test]
    public void PlanarMobileNetV2ReadsTheStemAndDenseWithoutTexelsAndMatchesTheOracle()
    {
        var graph = V2.Create(0.35, 96, 10, WeightInit.Random(21));
        var planar = new SessionOptions { Passes = new PassOptions { PackChannels = false } };
        GpuVsCpu.Check(_device, graph, 2, 2e-5, 1e-3, options: planar, what: "MobileNetV2 0.35/96 on 64-texel views",
            inspect: s =>
            {
                var stem = s.Dispatches.Single(d => d.Shader == Conv2dTiledKernel.Id.Shader);
                var dense = s.Dispatches.Single(d => d.Shader == DenseKernel.Id.Shader);
                Assert.That((bool)((Conv2dTiledConstants)stem.Constants).Texels, Is.False, "the stem reads its uniform window, not texels");
                Assert.That((bool)((DenseConstants)dense.Constants).Texels, Is.False, "dense reads scalars, not texels");
            });
    }

    [Test]
    public void TransposeAndConcatReadScalarsBeyondTheTexelViewsAndMatchTheOracle()
    {
        var graph = Kernels.SmallOpGraphs.Build("copies", new Tensors.TensorShape(8, 6, 6), (b, x) =>
            b.Concat("cat", [null, b.Transpose("t", x, [0, 2, 1]), x], [4, 8, 8]));
        GpuVsCpu.Check(_device, graph, 2, 0, 0, what: "transpose and concat on 64-texel views", inspect: s =>
        {
            Assert.That(Kernels.TransposeKernelTests.ReadsTexels(s), Is.False, "transpose reads scalars");
            var parts = s.Dispatches.Where(d => d.Label.StartsWith("cat[", StringComparison.Ordinal)).Select(d => (bool)((ConcatConstants)d.Constants).Vec4);
            Assert.That(parts, Is.EqualTo(new[] { true, false, false }), "texel copies only for the leading block of zeros, which reads nothing");
        });
    }

    [Test]
    public void AddReadsScalarsBeyondTheTexelViewsAndMatchesTheOracle()
    {
        var graph = Kernels.SmallOpGraphs.Build("add", new Tensors.TensorShape(8, 6, 6), (b, x) =>
            b.Add("add", b.Activate("a", x, GpuMobileNet.Graph.Activation.Relu), b.Activate("b", x, GpuMobileNet.Graph.Activation.Relu6)));
        var planar = new SessionOptions { Passes = new PassOptions { PackChannels = false } };
        GpuVsCpu.Check(_device, graph, 2, 1e-6, 0, options: planar, what: "add on 64-texel views", inspect: s =>
        {
            var add = s.Dispatches.Single(d => d.Label == "add");
            Assert.That(add.Shader, Is.EqualTo(AddKernel.Id.Shader));
            Assert.That((bool)((AddConstants)add.Constants).Vec4, Is.False, "add reads a float per invocation, not texels");
        });
    }

    [Test]
    public void ChannelPackedSessionIsRefusedNamingTheOp()
    {
        var graph = V2.Create(0.35, 96, 10, WeightInit.Random(22));
        var ex = Assert.Throws<NotSupportedException>(() => InferenceSession.Create(graph, _device, new SessionOptions()));
        Assert.That(ex!.Message, Does.Contain("maxTexelBufferElements").And.Contain("PackChannels = false"));
        Assert.That(graph.Nodes.OfType<Conv2dOp>().Any(c => ex.Message.Contains(c.Name)), "the message names a convolution: " + ex.Message);
        Assert.That(ex.Message, Does.Not.Contain("\n"));
    }
}
