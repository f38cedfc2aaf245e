using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Networks;

/// <summary>ResNet-18 on the GPU with the session's defaults (channel-packed on lavapipe) against the CPU oracle, and its
/// plan: after the stem (3 input channels) every 3x3 stride-1 convolution runs as Winograd and every other one on
/// conv2d_packed, with the residual sums fused into them, and no layout conversion runs anywhere (stem → max pool → blocks → global pool are all NC4HW4). Small resolutions
/// and widths keep the suite fast; tolerance as for the other networks (abs 2e-5 + rel 1e-3 on the probabilities).</summary>
public class ResNetNetworkTests : GpuTest
{
    [TestCase(0.25, 64, 2)]
    [TestCase(0.5, 57, 1)]
    public void GpuMatchesOracleAllPacked(double alpha, int resolution, int batch)
    {
        var graph = ModelZoo.Create("resnet18", alpha, resolution, 1000, WeightInit.Random(13));
        GpuVsCpu.Check(Device, graph, batch, 2e-5, 1e-3, inspect: s =>
        {
            var convs = s.Dispatches.Where(d => d.Source is Conv2dOp).GroupBy(d => (Conv2dOp)d.Source!).ToList();
            Assert.That(convs, Has.Count.EqualTo(20));
            Assert.That(convs[0].Single().Shader, Is.EqualTo(Conv2dTiledKernel.Id.Shader), "the stem");
            foreach (var conv in convs.Skip(1))
            {
                var shaders = conv.Select(d => d.Shader).ToList();
                if (WinogradConvKernel.Handles(conv.Key))
                    Assert.That(shaders, Does.Contain(WinogradConvKernel.InputId.Shader).And.Contain(WinogradConvKernel.OutputId.Shader), conv.Key.Name);
                else
                    Assert.That(shaders, Is.EqualTo(new[] { Conv2dPackedKernel.Id.Shader }), conv.Key.Name);
            }
            Assert.That(convs.Count(c => WinogradConvKernel.Handles(c.Key)), Is.EqualTo(13), "3x3 stride-1 convolutions");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(LayoutConvertKernel.Id.Shader).And.No.Member(AddKernel.Id.Shader));
        });
    }

    /// <summary>The GPU variants forced on lavapipe (<see cref="GemmVariant.SharedMemory"/>): every convolution past the stem
    /// that is not Winograd runs on conv2d_shared, every Winograd GEMM on pointwise_conv_shared, and the network still
    /// matches the oracle.</summary>
    [Test]
    public void SharedMemoryGemmsMatchOracle()
    {
        var graph = ModelZoo.Create("resnet18", 0.25, 48, 1000, WeightInit.Random(17));
        var options = new Runtime.SessionOptions { Kernels = new KernelChoice(Gemm: GemmVariant.SharedMemory) };
        GpuVsCpu.Check(Device, graph, 2, 2e-5, 1e-3, options: options, inspect: s =>
        {
            var convs = s.Dispatches.Where(d => d.Source is Conv2dOp).GroupBy(d => (Conv2dOp)d.Source!).Skip(1).ToList();
            foreach (var conv in convs)
                Assert.That(conv.Select(d => d.Shader), Does.Contain(WinogradConvKernel.Handles(conv.Key)
                    ? PointwiseConvSharedKernel.Id.Shader : Conv2dSharedKernel.Id.Shader), conv.Key.Name);
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dPackedKernel.Id.Shader).And.No.Member(PointwiseConvPackedKernel.Id.Shader));
        });
    }
}
