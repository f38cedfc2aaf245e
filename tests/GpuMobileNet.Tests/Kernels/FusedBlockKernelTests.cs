using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/fused_block.comp against the unfused CPU oracle: expanded channels not a multiple of the
/// chunk, output channels not a multiple of the project tile, images smaller than and not a multiple of the
/// tile, stride 2 with TF "same" padding, residual, every activation, batch 2. Tolerance abs 1e-4 + rel 1e-4.</summary>
[OracleTestFor(typeof(FusedBlockOp))]
internal class FusedBlockKernelTests : GpuTest
{
    private static readonly SessionOptions Fused = new() { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) };

    private static ModelGraph Block(int inC, int expC, int outC, int h, int w, int stride, bool expand, bool residual,
        Activation inner, Activation last, int seed)
    {
        var b = new GraphBuilder($"block_{inC}_{expC}_{outC}_{h}x{w}_s{stride}", new TensorShape(inC, h, w));
        float Scale(int fanIn) => (float)Math.Sqrt(3.0 / fanIn);
        var x = b.Input;
        if (expand)
            x = b.Conv2d("expand", x, expC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(inC * expC, seed, Scale(inC)),
                GpuVsCpu.RandomArray(expC, seed + 1, 0.1f), inner);
        var pad = stride == 2 ? Padding.Same(h, w, 3, 3, 2, 2) : Padding.Symmetric(1);
        x = b.Conv2d("depthwise", x, x.Shape.C, 3, stride, pad, x.Shape.C, GpuVsCpu.RandomArray(x.Shape.C * 9, seed + 2, Scale(9)),
            GpuVsCpu.RandomArray(x.Shape.C, seed + 3, 0.1f), inner);
        x = b.Conv2d("project", x, outC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(x.Shape.C * outC, seed + 4, Scale(x.Shape.C)),
            GpuVsCpu.RandomArray(outC, seed + 5, 0.1f), residual ? Activation.None : last);
        if (residual) x = b.Add("add", x, b.Input, last);
        return b.Build(x);
    }

    private static void UsesFusedKernel(InferenceSession s)
    {
        Assert.That(s.Graph.Nodes.OfType<FusedBlockOp>(), Has.Exactly(1).Items, "the passes fused the block");
        Assert.That(s.Dispatches.Select(d => d.Shader), Does.Contain(FusedBlockKernel.Id.Shader));
    }

    [TestCase(24, 144, 24, 13, 11, 1, true, TestName = "inverted residual 24-144-24, 13x11, residual")]
    [TestCase(16, 96, 24, 15, 15, 2, false, TestName = "inverted residual stride 2, odd size")]
    [TestCase(8, 20, 12, 9, 6, 1, false, TestName = "expanded channels not a multiple of 8, outputs not of 16")]
    [TestCase(8, 48, 8, 3, 2, 1, true, TestName = "image smaller than one tile")]
    [TestCase(12, 72, 40, 20, 17, 2, false, TestName = "three project blocks, stride 2")]
    public void InvertedResidualMatchesOracle(int inC, int expC, int outC, int h, int w, int stride, bool residual)
    {
        var g = Block(inC, expC, outC, h, w, stride, expand: true, residual, Activation.Relu6, Activation.None, seed: inC + expC);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Fused, inspect: UsesFusedKernel);
    }

    [TestCase(32, 16, 17, 19, 1, Activation.None, TestName = "dw+pw 32->16 (MobileNetV2 block 0 shape)")]
    [TestCase(13, 29, 10, 7, 2, Activation.Relu, TestName = "dw+pw 13 channels, stride 2, relu")]
    [TestCase(64, 64, 8, 8, 1, Activation.Relu6, TestName = "dw+pw 64->64 relu6 (MobileNetV1 shape)")]
    public void DepthwisePointwiseMatchesOracle(int c, int outC, int h, int w, int stride, Activation last)
    {
        var g = Block(c, c, outC, h, w, stride, expand: false, residual: false, Activation.Relu6, last, seed: c + outC);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Fused, inspect: s =>
        {
            UsesFusedKernel(s);
            Assert.That(s.Graph.Nodes.OfType<FusedBlockOp>().Single().Expand, Is.Null);
        });
    }

    [Test]
    public void ResidualWithReluAfterTheAdd()
    {
        var g = Block(16, 32, 16, 10, 12, 1, expand: true, residual: true, Activation.Relu, Activation.Relu, seed: 77);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Fused, inspect: UsesFusedKernel);
    }
}
