using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Dilation as a kernel constant (conv2d.comp, conv2d_tiled.comp, depthwise_conv.comp) against the oracle:
/// dilations 2 to 5, unequal in H and W, with stride 2, asymmetric pads, odd sizes, batch 2; a dilated depthwise conv
/// between pointwise ones stays out of the packed, tiled and fused kernels, which have no dilation. abs 1e-4 + rel 1e-4.</summary>
public class DilatedConvKernelTests : GpuTest
{
    // inC, outC, groups, kernel, stride, dilation h, dilation w, kernel choice (simple: conv2d.comp; fast: conv2d_tiled.comp)
    [TestCase(5, 7, 1, 3, 1, 5, 5, false, "conv2d", TestName = "dilated 3x3 d5 (M-LSD's), plain kernel")]
    [TestCase(5, 7, 1, 3, 1, 5, 5, true, "conv2d_tiled", TestName = "dilated 3x3 d5 (M-LSD's), tiled kernel")]
    [TestCase(4, 9, 1, 3, 2, 2, 3, true, "conv2d_tiled", TestName = "dilated 3x3 d2x3 stride 2, tiled kernel, rows as texels")]
    [TestCase(6, 4, 2, 2, 1, 3, 1, false, "conv2d", TestName = "grouped 2x2 d3x1, plain kernel")]
    [TestCase(6, 6, 6, 3, 1, 2, 2, true, "depthwise_conv", TestName = "depthwise 3x3 d2, simple depthwise kernel")]
    [TestCase(5, 5, 5, 5, 2, 3, 2, false, "depthwise_conv", TestName = "depthwise 5x5 d3x2 stride 2")]
    public void MatchesOracle(int inC, int outC, int groups, int k, int stride, int dh, int dw, bool fast, string shader)
    {
        const int h = 17, w = 20;
        var pad = new Padding(dh, dw + 1, dh - 1, dw);
        var weights = GpuVsCpu.RandomArray(outC * inC / groups * k * k, 21);
        var g = SmallOpGraphs.Build("dilated", new TensorShape(inC, h, w), (b, x) =>
            b.Conv2d("conv", x, outC, k, k, stride, stride, pad, groups, weights, GpuVsCpu.RandomArray(outC, 22), Activation.Relu, dh, dw));
        var options = new SessionOptions { Kernels = fast ? new KernelChoice() : KernelChoice.Simple };
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: options,
            inspect: s => Assert.That(s.Dispatches.Select(d => d.Shader), Has.Some.EqualTo(shader)));
    }

    /// <summary>An inverted-residual shape (pointwise, dilated depthwise, pointwise, channels multiples of 4): with every
    /// pass on, the packing and block fusion must leave the dilated depthwise to depthwise_conv.comp.</summary>
    [Test]
    public void DilatedDepthwiseBlockWithEveryPassOn()
    {
        var b = new GraphBuilder("dilated_block", new TensorShape(8, 13, 11));
        float[] W(int n, int seed) => GpuVsCpu.RandomArray(n, seed, 0.5f);
        var e = b.Conv2d("expand", b.Input, 16, 1, 1, Padding.Zero, 1, W(16 * 8, 1), W(16, 2), Activation.Relu6);
        var d = b.Conv2d("dw", e, 16, 3, 3, 1, 1, Padding.Symmetric(2), 16, W(16 * 9, 3), W(16, 4), Activation.Relu6, 2, 2);
        var p = b.Conv2d("project", d, 8, 1, 1, Padding.Zero, 1, W(8 * 16, 5), W(8, 6));
        var g = b.Build(b.Add("residual", p, b.Input));
        var options = new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) };
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: options,
            inspect: s => Assert.That(s.Dispatches.Where(x => x.Label == "dw").Select(x => x.Shader), Is.EqualTo(new[] { DepthwiseConvKernel.Id.Shader })));
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4);
    }
}
