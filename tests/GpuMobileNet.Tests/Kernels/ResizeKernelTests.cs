using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/resize.comp: nearest and bilinear, up and down, every coordinate mode, odd sizes; scales that are
/// exact in binary so the float (GPU) and double (oracle) coordinates agree; tolerance abs 1e-5 + rel 1e-5.</summary>
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
