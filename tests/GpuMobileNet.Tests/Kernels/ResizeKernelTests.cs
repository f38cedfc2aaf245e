using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/resize.comp: nearest and bilinear, up and down, every coordinate mode, odd sizes; scales that are
/// exact in binary so the float (GPU) and double (oracle) coordinates agree; tolerance abs 1e-5 + rel 1e-5. Packed
/// (NC4HW4 in and out) between packed 1x1 convolutions, with no layout conversion but the output's, fp16 too.</summary>
[OracleTestFor(typeof(ResizeOp))]
internal class ResizeKernelTests : GpuTest
{
    [TestCase(false, ResizeCoordinates.Asymmetric, ResizeNearest.Floor, 2f, 2f, 2)]
    [TestCase(false, ResizeCoordinates.HalfPixel, ResizeNearest.RoundPreferFloor, 2f, 4f, 1)]
    [TestCase(false, ResizeCoordinates.AlignCorners, ResizeNearest.RoundPreferCeil, 0.5f, 2f, 1)]
    [TestCase(false, ResizeCoordinates.TfHalfPixelForNn, ResizeNearest.Ceil, 1.5f, 0.75f, 2)]
    [TestCase(true, ResizeCoordinates.HalfPixel, ResizeNearest.RoundPreferFloor, 2f, 2f, 2)]
    [TestCase(true, ResizeCoordinates.AlignCorners, ResizeNearest.RoundPreferFloor, 2f, 0.5f, 1)]
    [TestCase(true, ResizeCoordinates.PytorchHalfPixel, ResizeNearest.RoundPreferFloor, 0.5f, 1.5f, 1)]
    [TestCase(true, ResizeCoordinates.Asymmetric, ResizeNearest.RoundPreferFloor, 4f, 4f, 1)]
    public void MatchesOracle(bool linear, ResizeCoordinates coordinates, ResizeNearest nearest, float scaleH, float scaleW, int batch)
    {
        const int h = 6, w = 8;
        var g = SmallOpGraphs.Build("resize", new TensorShape(3, h, w), (b, x) =>
            b.Resize("r", x, (int)(h * scaleH), (int)(w * scaleW), linear, coordinates, nearest, scaleH, scaleW));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, inspect: s => Ran.Kernel(s, ResizeKernel.Id, "r"));
    }

    [TestCase(false, ResizeCoordinates.Asymmetric, 2f, 2f, 8, 5, 7, 2, TestName = "resize NC4HW4: nearest 2x (ncnn Interp 1), odd plane, batch 2")]
    [TestCase(true, ResizeCoordinates.HalfPixel, 2f, 2f, 12, 3, 5, 1, TestName = "resize NC4HW4: bilinear 2x half-pixel")]
    [TestCase(true, ResizeCoordinates.AlignCorners, 0.5f, 1.5f, 4, 6, 4, 2, TestName = "resize NC4HW4: bilinear down and up, align corners")]
    [TestCase(false, ResizeCoordinates.HalfPixel, 0.5f, 0.5f, 8, 10, 6, 1, TestName = "resize NC4HW4: nearest 0.5x")]
    public void ChannelPacked(bool linear, ResizeCoordinates coordinates, float scaleH, float scaleW, int c, int h, int w, int batch) =>
        CheckPacked(PackedGraph(linear, coordinates, scaleH, scaleW, c, h, w), batch, Runtime.Precision.Float32, 1e-5);

    [TestCase(Runtime.Precision.Float16Storage, 3e-3)]
    [TestCase(Runtime.Precision.Float16, 1e-2)]
    public void ChannelPackedFp16(Runtime.Precision precision, double tolerance) =>
        CheckPacked(PackedGraph(true, ResizeCoordinates.HalfPixel, 2f, 2f, 8, 5, 3, readBy1x1: false), 2, precision, tolerance);

    private static void CheckPacked(ModelGraph g, int batch, Runtime.Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision }, inspect: s =>
        {
            Ran.Kernel(s, ResizeKernel.Id, "r");
            var op = s.Graph.Nodes.OfType<ResizeOp>().Single();
            Assert.That((op.Input.Layout, op.Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)));
            Assert.That(s.Dispatches.Count(d => d.Shader == LayoutConvertKernel.Id.Shader), Is.EqualTo(1), "only the output's");
        });

    // An FPN's step: a packed 1x1 (after a stem that writes packed), the resize, a packed 1x1 after it (left out for fp16,
    // whose rounding through one more layer would set the tolerance rather than the resize).
    private static ModelGraph PackedGraph(bool linear, ResizeCoordinates coordinates, float scaleH, float scaleW, int c, int h, int w, bool readBy1x1 = true)
    {
        var b = new GraphBuilder("packed_resize", new TensorShape(3, h, w));
        var stem = b.Conv2d("stem", b.Input, c, 3, 1, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(c * 27, 1), GpuVsCpu.RandomArray(c, 2), Activation.Relu);
        var lateral = b.Conv2d("lateral", stem, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 4), GpuVsCpu.RandomArray(c, 5));
        var up = b.Resize("r", lateral, (int)(h * scaleH), (int)(w * scaleW), linear, coordinates, ResizeNearest.Floor, scaleH, scaleW);
        return b.Build(readBy1x1 ? b.Conv2d("pw", up, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 3), null) : up);
    }

    [Test]
    public void NearestDoublingRepeatsEachPixel()
    {
        var g = SmallOpGraphs.Build("up", new TensorShape(1, 1, 2), (b, x) =>
            b.Resize("r", x, 2, 4, false, ResizeCoordinates.Asymmetric, ResizeNearest.Floor, 2, 2));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, ResizeKernel.Id, "r");
        Assert.That(session.Run(new float[] { 3, 5 }), Is.EqualTo(new float[] { 3, 3, 5, 5, 3, 3, 5, 5 }));
    }
}
