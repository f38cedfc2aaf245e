using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/lrn.comp against the CPU oracle on awkward shapes (channels not a multiple of 4, odd planes, a
/// window wider than the channels, batch 2), after a convolution so inputs span signs and scales; fp32 within 1e-5.</summary>
[OracleTestFor(typeof(LrnOp))]
public class LrnKernelTests : GpuTest
{
    [TestCase(7, 5, 3, 5, 1e-4f, 0.75f, 1f, 1, TestName = "LRN 5 over 7 channels, 5x3, AlexNet's constants")]
    [TestCase(3, 9, 11, 5, 2f, 0.5f, 2f, 2, TestName = "LRN window wider than 3 channels, 9x11, batch 2")]
    [TestCase(10, 4, 4, 3, 0.5f, 1.5f, 0.25f, 2, TestName = "LRN 3 over 10 channels, strong alpha, batch 2")]
    public void MatchesTheReference(int channels, int h, int w, int size, float alpha, float beta, float bias, int batch)
    {
        GpuVsCpu.Check(Device, Graph(channels, h, w, size, alpha, beta, bias), batch, 1e-5, 1e-5, inputScale: 3f, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Does.Contain(LrnKernel.Id.Shader)));
    }

    /// <summary>Between packed layers (channel packing on, channels a multiple of 4) LRN runs on the packed tensors: the
    /// window crosses quads (size 5 and 7), no layout conversion around it.</summary>
    [TestCase(12, 5, 3, 5, 1e-4f, 0.75f, 1f, 2, TestName = "packed LRN 5 over 12 channels, 5x3, batch 2")]
    [TestCase(8, 9, 11, 7, 2f, 0.5f, 2f, 1, TestName = "packed LRN 7 over 8 channels, 9x11")]
    [TestCase(24, 3, 5, 17, 0.5f, 0.75f, 1f, 2, TestName = "packed LRN 17 over 24 channels: window two quads either side")]
    [TestCase(16, 5, 3, 19, 0.5f, 0.75f, 1f, 1, TestName = "packed LRN 19 over 16 channels: wider than two quads, the looped form")]
    [TestCase(192, 7, 5, 5, 1e-4f, 0.75f, 1f, 1, TestName = "packed LRN 5 over 192 channels (GoogLeNet's norm2), 7x5")]
    public void RunsPacked(int channels, int h, int w, int size, float alpha, float beta, float bias, int batch) =>
        CheckPacked(channels, h, w, size, alpha, beta, bias, batch, Precision.Float32, 1e-5);

    // The 1x1 after the LRN sums 20 fp16-rounded values of up to ~3 (input scale 3): 1e-2 and 3e-2.
    [TestCase(Precision.Float16Storage, 1e-2)]
    [TestCase(Precision.Float16, 3e-2)]
    public void RunsPackedFp16(Precision precision, double tolerance) => CheckPacked(20, 5, 7, 5, 1e-2f, 0.75f, 1f, 2, precision, tolerance);

    private void CheckPacked(int channels, int h, int w, int size, float alpha, float beta, float bias, int batch, Precision precision, double tolerance)
    {
        var b = new GraphBuilder("lrn_packed", new TensorShape(4, h, w));
        var conv = b.Conv2d("conv", b.Input, channels, 1, 1, Padding.Zero, 1, TestData.Uniform(1, channels * 4), TestData.Uniform(2, channels));
        var lrn = b.Lrn("lrn", conv, size, alpha, beta, bias);
        var g = b.Build(b.Conv2d("after", lrn, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 4 * channels)));
        var options = new GpuMobileNet.Runtime.SessionOptions { Precision = precision, Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true } };
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, inputScale: 3f, options: options, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.EqualTo(new[] { "layout_convert", "pointwise_conv_packed", "lrn", "pointwise_conv_packed", "layout_convert" }));
            Assert.That((bool)((LrnConstants)s.Dispatches[2].Constants).Packed, "lrn's PACKED");
        });
    }

    /// <summary>A convolution then LRN, so the normalised inputs span signs and scales (also the HLSL check's graph).</summary>
    internal static ModelGraph Graph(int channels, int h, int w, int size, float alpha, float beta, float bias)
    {
        var b = new GraphBuilder("lrn", new TensorShape(3, h, w));
        var conv = b.Conv2d("conv", b.Input, channels, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, channels * 27), TestData.Uniform(2, channels));
        return b.Build(b.Lrn("lrn", conv, size, alpha, beta, bias));
    }

    [Test]
    public void RejectsEvenSizesAndBadConstants()
    {
        var b = new GraphBuilder("lrn", new TensorShape(4, 2, 2));
        Assert.That(() => b.Lrn("even", b.Input, 4, 1, 1, 1), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("size 4 must be odd"));
        Assert.That(() => b.Lrn("bias", b.Input, 5, 1, 1, 0), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("bias > 0"));
        Assert.That(b.Nodes.OfType<LrnOp>(), Is.Empty);
    }
}
