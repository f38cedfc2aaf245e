using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/concat.comp: channel concatenation of computed parts and zero blocks; a copy is exact.</summary>
[OracleTestFor(typeof(ConcatOp))]
public class ConcatKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 2)]
    [TestCase(24, 1, 1, 3)]
    public void PartsAndZeros(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("concat", new TensorShape(c, h, w), (b, x) =>
            b.Concat("cat", [b.Activate("relu", x, Activation.Relu), null, x, b.Activate("sig", x, Activation.Sigmoid)], [c, 5, c, c]));
        GpuVsCpu.Check(Device, g, batch, 0, 1e-6, inspect: s => Ran.Kernel(s, ConcatKernel.Id, "cat"));
    }

    [TestCase(8, 7, 5, 2)]
    [TestCase(12, 1, 3, 1)]
    public void PackedResidualPaddedWithZeroQuads(int c, int h, int w, int batch)
    {
        // BlazeFace's channel padding: pw(c) + [x, zeros(4)] between packed convolutions stays packed, no conversion.
        var g = SmallOpGraphs.Build("pad_residual", new TensorShape(c, h, w), (b, x) =>
        {
            var a = b.Conv2d("pw0", x, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 1, 0.5f), act: Activation.Relu);
            var wide = b.Conv2d("pw1", a, c + 4, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * (c + 4), 2, 0.5f));
            var sum = b.Add("add", wide, b.Concat("cat", [a, null], [c, 4]));
            return b.Conv2d("pw2", sum, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * (c + 4), 3, 0.5f));
        });
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Ran.Kernel(s, ConcatKernel.Id, "cat");
            Assert.That(s.Graph.Nodes.OfType<ConcatOp>().Single().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
            Assert.That(s.Graph.Nodes.OfType<LayoutConvertOp>().Count(), Is.EqualTo(2), "only the session's input and output convert");
        });
    }

    [Test]
    public void ZeroBlockIsZeroEvenWhereMemoryWasReused()
    {
        var g = SmallOpGraphs.Build("widen", new TensorShape(2, 3, 3), (b, x) => b.Concat("cat", [x, null], [2, 3]));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, ConcatKernel.Id, "cat");
        var output = session.Run(Enumerable.Repeat(7f, 18).ToArray());
        Assert.That(output[..18], Is.All.EqualTo(7f));
        Assert.That(output[18..], Is.All.EqualTo(0f));
    }
}
