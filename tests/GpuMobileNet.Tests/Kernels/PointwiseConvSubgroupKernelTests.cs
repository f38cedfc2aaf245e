using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_subgroup.comp against the CPU oracle. Besides the tiled kernel's awkward shapes,
/// input-channel counts that leave a partial block of 8 (lanes past the end must share nothing wrong), and tail
/// pixels whose invocations must stay active for the broadcasts. lavapipe has 8-wide subgroups with ballot
/// operations, so the kernel really runs here (asserted). Tolerance abs 1e-4 + rel 1e-4.</summary>
internal class PointwiseConvSubgroupKernelTests : GpuTest
{
    private static readonly SessionOptions Subgroup = new() { Kernels = new KernelChoice(Pointwise: PointwiseVariant.Subgroup), Passes = Layouts.PlanarPasses };

    [Test]
    public void TheDeviceBroadcastsWithinSubgroupsOfAtLeastEight()
    {
        Assert.That(Device.SupportsSubgroupBroadcast, Is.True, "lavapipe supports ballot operations in compute shaders");
        Assert.That(Device.SubgroupSize, Is.GreaterThanOrEqualTo(PointwiseConvSubgroupKernel.SharedChannels));
    }

    [TestCase(3, 5, 7, 7, Activation.None, 2, TestName = "subgroup pw 3->5 7x7 batch 2: one partial block of 3 channels")]
    [TestCase(13, 17, 9, 11, Activation.Relu6, 1, TestName = "subgroup pw 13->17 9x11")]
    [TestCase(24, 144, 28, 28, Activation.Relu6, 1, TestName = "subgroup pw 24->144 28x28")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, TestName = "subgroup pw 320->1280 7x7 over many windows")]
    [TestCase(1020, 20, 3, 5, Activation.Relu, 1, TestName = "subgroup pw 1020->20: split into 512 + 508 input channels, partial last block")]
    [TestCase(24, 144, 1, 2, Activation.Relu6, 3, TestName = "subgroup pw 1x2 spatial batch 3")]
    [TestCase(40, 24, 13, 13, Activation.None, 1, TestName = "subgroup pw 40->24 13x13: 169 pixels, 43 groups, 21 idle lanes")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Subgroup, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvSubgroupKernel.Id.Shader));
            if (inC == 1020) Assert.That(s.Dispatches.Count(d => d.Label.Contains("[in ")), Is.EqualTo(2), "split over input channels");
        });
    }

    [TestCase(16, 16, 5, 7, Activation.None)]
    [TestCase(36, 40, 3, 3, Activation.Relu)]
    [TestCase(24, 24, 8, 8, Activation.Relu6)]
    public void WithResidual(int inC, int outC, int h, int w, Activation act)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Subgroup, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Does.Contain(PointwiseConvSubgroupKernel.Id.Shader)));
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Float16VariantsStayWithinTheirTolerance(Precision precision, double tolerance)
    {
        // 100 input channels: three full fp16 fold intervals of 32 and a partial block of 4.
        var g = ConvGraphs.Conv(new TensorShape(100, 9, 7), 24, 1, 1, Padding.Zero, 1, true, Activation.Relu6, residual: false);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Subgroup with { Precision = precision }, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvSubgroupKernel.Id.Shader)));
    }

    [Test]
    public void TiledStaysTheDefault()
    {
        var g = ConvGraphs.Conv(new TensorShape(24, 8, 8), 32, 1, 1, Padding.Zero, 1, true, Activation.None, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Layouts.Planar, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvTiledKernel.Id.Shader)));
    }
}
