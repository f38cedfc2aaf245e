using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
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

    [TestCase(4, 3, 5, 2, new[] { true, true }, TestName = "Planar parts of whole texels copy a texel an invocation")]
    [TestCase(3, 3, 1, 3, new[] { false, false }, TestName = "Planar parts off the texel grid copy a float an invocation")]
    public void TexelCopies(int c, int h, int w, int batch, bool[] texels)
    {
        // One dispatch per part and the zeros after it, a texel an invocation where they, their place and the output's
        // batch stride are whole texels.
        var g = SmallOpGraphs.Build("concat", new TensorShape(c, h, w), (b, x) =>
            b.Concat("cat", [b.Activate("relu", x, Activation.Relu), null, x, null], [c, c, c, 4]));
        GpuVsCpu.Check(Device, g, batch, 0, 1e-6, inspect: s => Assert.That(Texels(s), Is.EqualTo(texels)));
    }

    [Test]
    public void LeadingZerosAndZerosBetweenParts()
    {
        var g = SmallOpGraphs.Build("concat", new TensorShape(5, 3, 3), (b, x) =>
            b.Concat("cat", [null, x, null, null, b.Activate("relu", x, Activation.Relu)], [2, 5, 3, 1, 5]));
        GpuVsCpu.Check(Device, g, 2, 0, 1e-6, inspect: s =>
        {
            Ran.Kernel(s, ConcatKernel.Id, "cat");
            Assert.That(s.Dispatches.Where(d => d.Label.StartsWith("cat[", StringComparison.Ordinal)).Select(d => d.Label),
                Is.EqualTo(new[] { "cat[0]", "cat[1]", "cat[4]" }), "the zeros after a part are its dispatch's");
        });
    }

    [TestCase(Precision.Float32, 1e-5)]
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 2e-3)]
    public void PackedPartsCopyTexels(Precision precision, double tolerance)
    {
        // NC4HW4 parts of whole quads and zero quads between packed 1x1 convolutions (outputs stored as halves in fp16).
        var g = PackedParts(12, 5, 3);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision }, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<ConcatOp>().Single().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
            Assert.That(Texels(s), Is.EqualTo(new[] { true, true }));
        });
    }

    /// <summary>[pw(x), zeros, x] of <paramref name="c"/> + 4 + <paramref name="c"/> channels read by a 1x1: packed where
    /// <paramref name="c"/> is a multiple of 4.</summary>
    internal static ModelGraph PackedParts(int c, int h, int w) => SmallOpGraphs.Build("packed_concat", new TensorShape(c, h, w), (b, x) =>
    {
        var a = b.Conv2d("pw0", x, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 1, 0.5f), act: Activation.Relu);
        var joined = b.Concat("cat", [a, null, x], [c, 4, c]);
        return b.Conv2d("pw1", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * (2 * c + 4), 3, 0.5f));
    });

    // Per part of the concatenation "cat", whether it ran a texel an invocation (and that concat.comp ran it).
    private static bool[] Texels(InferenceSession s)
    {
        Ran.Kernel(s, ConcatKernel.Id, "cat");
        return s.Dispatches.Where(d => d.Label.StartsWith("cat[", StringComparison.Ordinal)).Select(d => (bool)((ConcatConstants)d.Constants).Vec4).ToArray();
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
        // FoldResidualChannelPad off: it would read the unpadded shortcut as the residual, with no concatenation left.
        var options = PointwiseConvPackedKernelTests.Packed with { Passes = PointwiseConvPackedKernelTests.Packed.Passes! with { FoldResidualChannelPad = false } };
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, options: options, inspect: s =>
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
        using var session = InferenceSession.Create(g, Device);
        Ran.Kernel(session, ConcatKernel.Id, "cat");
        var output = session.Run(Enumerable.Repeat(7f, 18).ToArray());
        Assert.That(output[..18], Is.All.EqualTo(7f));
        Assert.That(output[18..], Is.All.EqualTo(0f));
    }
}
