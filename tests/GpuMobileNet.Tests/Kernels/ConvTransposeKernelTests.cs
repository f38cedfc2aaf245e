using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv_transpose.comp (a gather) against the oracle (a scatter, as ONNX defines it): stride 2 and 3,
/// kernels smaller and larger than the stride, pads (negative ones too), output_padding, dilation, groups, depthwise,
/// odd sizes, batch 2. Tolerance abs 1e-5 + rel 1e-4.</summary>
[OracleTestFor(typeof(ConvTransposeOp))]
public class ConvTransposeKernelTests : GpuTest
{
    // inC, outC, groups, h, w, kh, kw, stride h, stride w, dilation, pad top, pad left, pad bottom, pad right, output padding
    [TestCase(8, 6, 1, 5, 7, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 2)] // the PP-OCR head's upsampling
    [TestCase(3, 5, 1, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)] // PyTorch's usual stride-2 3x3 with output_padding 1
    [TestCase(6, 4, 2, 4, 3, 4, 3, 3, 2, 1, 2, 0, 1, 1, 0, 1)] // groups, asymmetric pads, stride 3
    [TestCase(5, 5, 5, 7, 4, 3, 3, 2, 1, 2, 1, 2, 0, 0, 0, 2)] // depthwise, dilated
    [TestCase(10, 5, 5, 5, 7, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0, 2)] // ncnn's grouped DeconvolutionDepthWise (mobilenet_yolo's): 2 inputs to 1 output per group
    [TestCase(4, 3, 1, 3, 3, 2, 3, 2, 2, 1, -1, -2, -1, 0, 1, 1)] // negative pads (output_shape beyond the taps)
    public void MatchesOracle(int inC, int outC, int groups, int h, int w, int kh, int kw, int sh, int sw, int dilation,
        int top, int left, int bottom, int right, int outputPadding, int batch)
    {
        long outH = ConvTransposeOp.OutputSize(h, kh, sh, dilation, top, bottom, outputPadding);
        long outW = ConvTransposeOp.OutputSize(w, kw, sw, dilation, left, right, outputPadding);
        var weights = GpuVsCpu.RandomArray(inC * (outC / groups) * kh * kw, 11);
        var bias = GpuVsCpu.RandomArray(outC, 12);
        var g = SmallOpGraphs.Build("conv_transpose", new TensorShape(inC, h, w), (b, x) =>
            b.ConvTranspose("ct", x, outC, (int)outH, (int)outW, kh, kw, sh, sw, dilation, dilation, top, left, groups, weights, bias));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, inspect: s => Ran.Kernel(s, ConvTransposeKernel.Id, "ct"));
    }

    /// <summary>A hand-computed case: 1 x 2 input, 2 x 2 kernel, stride 2: each input pixel becomes its own scaled 2 x 2
    /// copy of the kernel.</summary>
    [Test]
    public void StrideEqualToKernelTilesScaledKernels()
    {
        var g = SmallOpGraphs.Build("tile", new TensorShape(1, 1, 2), (b, x) =>
            b.ConvTranspose("ct", x, 1, 2, 4, 2, 2, 2, 2, 1, 1, 0, 0, 1, [1, 2, 3, 4]));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, ConvTransposeKernel.Id, "ct");
        Assert.That(session.Run(new float[] { 1, 10 }), Is.EqualTo(new float[] { 1, 2, 10, 20, 3, 4, 30, 40 }));
    }

    [Test]
    public void WrongWeightCountIsRefusedNamingTheOp()
    {
        var b = new GraphBuilder("bad", new TensorShape(2, 3, 3));
        var e = Assert.Throws<InvalidGraphException>(() => b.ConvTranspose("up", b.Input, 3, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 1, new float[5]));
        Assert.That(e!.Message, Does.Contain("ConvTranspose 'up'").And.Contain("weights"));
    }
}
