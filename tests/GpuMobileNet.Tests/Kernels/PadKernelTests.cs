using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pad.comp: a copy, so NCHW alone must be exact (tolerance 0); NC4HW4 between packed 1x1s (their sums:
/// 1e-5, fp16 storage 3e-3) with no layout conversion around the pad.</summary>
[OracleTestFor(typeof(PadOp))]
public class PadKernelTests : GpuTest
{
    [TestCase(3, 7, 5, 0, 0, 1, 1, 2)]
    [TestCase(5, 4, 9, 2, 1, 0, 3, 1)]
    public void MatchesOracleExactly(int c, int h, int w, int top, int left, int bottom, int right, int batch)
    {
        var g = SmallOpGraphs.Build("pad", new TensorShape(c, h, w), (b, x) => b.Pad("pad", x, new Padding(top, left, bottom, right)));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, PadKernel.Id, "pad"));
    }

    [TestCase(12, 7, 5, 1, 0, 2, 3, 2, Precision.Float32, 1e-5, TestName = "packed pad between packed 1x1s, 12 channels, batch 2")]
    [TestCase(8, 4, 9, 2, 1, 0, 1, 1, Precision.Float16Storage, 3e-3, TestName = "packed pad, fp16 storage")]
    public void RunsPackedBetweenPackedLayers(int c, int h, int w, int top, int left, int bottom, int right, int batch, Precision precision, double tolerance)
    {
        var b = new GraphBuilder("pw_pad_pw", new TensorShape(4, h, w));
        var x = b.Conv2d("pw", b.Input, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * c, 1), null);
        var padded = b.Pad("pad", x, new Padding(top, left, bottom, right));
        var y = b.Conv2d("pw2", padded, 4, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * c, 2), null);
        var options = new SessionOptions { Precision = precision, Passes = new PassOptions { PackChannels = true, FoldPad = false } };
        GpuVsCpu.Check(Device, b.Build(y), batch, tolerance, tolerance, options: options, inspect: s =>
        {
            Ran.Kernel(s, PadKernel.Id, "pad");
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Is.EqualTo(new[] { "layout_convert", "pointwise_conv_packed", "pad", "pointwise_conv_packed", "layout_convert" }));
            Assert.That((bool)((PadConstants)s.Dispatches[2].Constants).Packed, Is.True);
        });
    }
}
