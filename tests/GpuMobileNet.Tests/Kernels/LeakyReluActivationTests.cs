using System.Text;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Leaky ReLU of slope 0.1 (common.glsl's ACT_LEAKY_RELU) standalone and fused into the convolution kernels the
/// YOLOs of ncnn's list run it in: stem, 3x3 (Winograd), depthwise and pointwise, planar and channel-packed, and a head
/// whose channels are not whole quads (padded to quads on the packed 1x1). Inputs of both signs; one max and one multiply
/// per element: abs 1e-5 + rel 1e-5 after a convolution's sums in fp32, 1e-6 standalone, 1e-2 in fp16. ncnn's
/// convolution with activation 2 and slope 0.1 imports as one convolution with the activation fused.</summary>
internal class LeakyReluActivationTests : GpuTest
{
    [TestCase(3, 7, 5, 2)]
    [TestCase(17, 1, 1, 1)]
    public void Standalone(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("leaky", new TensorShape(c, h, w), (b, x) => b.Activate("act", x, Activation.LeakyRelu));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-6, inputScale: 4, options: Layouts.Planar, inspect: s => Ran.Kernel(s, ActivationKernel.Id, "act"));
    }

    [TestCase(false, Precision.Float32, 1e-5)]
    [TestCase(true, Precision.Float32, 1e-5)]
    [TestCase(true, Precision.Float16, 1e-2)]
    public void FusedIntoConvolutions(bool packed, Precision precision, double tolerance)
    {
        // stem (3x3 stride 2) -> 3x3 -> 3x3 depthwise -> 1x1 -> 1x1 head of 21 channels, each with the activation fused.
        var g = SmallOpGraphs.Build("leaky_convs", new TensorShape(3, 17, 15), (b, x) =>
        {
            var stem = Conv(b, "stem", x, 16, 3, 2, 1, 1);
            var full = Conv(b, "full", stem, 16, 3, 1, 1, 2);
            var dw = Conv(b, "dw", full, 16, 3, 1, 16, 3);
            var pw = Conv(b, "pw", dw, 24, 1, 1, 1, 4);
            return Conv(b, "head", pw, 21, 1, 1, 1, 5);
        });
        var options = packed ? new SessionOptions { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true }, Precision = precision } : Layouts.Planar;
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, inputScale: 2, options: options, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<ActivationOp>(), Is.Empty, "every activation is fused");
            Assert.That(s.Graph.Nodes.OfType<Conv2dOp>().Select(c => c.Activation), Is.All.EqualTo(Activation.LeakyRelu));
            if (packed) Ran.Kernel(s, PointwiseConvPackedKernel.Id, "head");
        });
    }

    [TestCase(-4.0, -0.4)]
    [TestCase(-0.5, -0.05)]
    [TestCase(0.0, 0.0)]
    [TestCase(2.5, 2.5)]
    public void ReferenceValues(double x, double y) =>
        Assert.That(ActivationMath.Apply(x, Activation.LeakyRelu), Is.EqualTo(y).Within(1e-7));

    /// <summary>ncnn's convolution with a leaky activation (9=2) of slope 0.1 is one convolution applying it; another
    /// slope stays the decomposition (slope x + (1 - slope) relu(x)), so its convolution keeps no activation.</summary>
    [TestCase("1.000000e-01", Activation.LeakyRelu, 1)]
    [TestCase("2.000000e-01", Activation.None, 2)]
    public void NcnnLeakyConvolutionImportsFused(string slope, Activation fused, int relus)
    {
        var param = $"""
            7767517
            3 3
            Input in 0 1 data 0=9 1=7 2=4
            Convolution c1 1 1 data c1o 0=8 1=3 4=1 5=1 6=288 9=2 -23310=1,{slope}
            ReLU r1 1 1 c1o out 0={slope}
            """;
        var graph = NcnnImporter.Load(Encoding.ASCII.GetBytes(param.ReplaceLineEndings("\n") + "\n"), null, "leaky.param", "").Graph;
        Assert.That(graph.Nodes.OfType<Conv2dOp>().Single().Activation, Is.EqualTo(fused));
        Assert.That(graph.Nodes.OfType<ActivationOp>().Count(), Is.EqualTo(relus), "a standalone ReLU layer of the same slope");
    }

    private static Value Conv(GraphBuilder b, string name, Value x, int outC, int kernel, int stride, int groups, int seed)
    {
        int fanIn = x.Shape.C / groups * kernel * kernel;
        var weights = GpuVsCpu.RandomArray(outC * fanIn, seed, (float)Math.Sqrt(3.0 / fanIn));
        return b.Conv2d(name, x, outC, kernel, stride, Padding.Symmetric(kernel / 2), groups, weights, GpuVsCpu.RandomArray(outC, seed + 1),
            Activation.LeakyRelu);
    }
}
