using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="MoveScalarAffineAfterTranspose"/>: an NHWC image's scalar normalisation (x / 127.5 - 1 as two
/// BatchNorms, M-LSD's input) moves after the transpose, which then reads the image itself and writes the packed stem's
/// input (4 channels: no packing dispatch before or after it); the same on the oracle (1e-6) and on the device (fp32
/// 1e-4, fp16 storage 3e-3) on odd image sizes, batch 2, and for 3 channels (no packed transpose there); an affine map
/// that differs per channel, or is read by another op too, stays where it is.</summary>
public class MoveScalarAffineAfterTransposeTests : GpuTest
{
    [TestCase(4, 2, TestName = "NHWC RGBA image: the transpose writes the packed stem's input")]
    [TestCase(3, 1, TestName = "NHWC RGB image")]
    public void MovesAfterTheTranspose(int channels, int batch)
    {
        var g = NhwcHead(9, 7, channels);
        var moved = MoveScalarAffineAfterTranspose.Apply(BatchNormToDepthwise.Apply(g));
        var t = moved.Nodes.OfType<TransposeOp>().Single();
        Assert.That(t.Input, Is.SameAs(g.Input), "the transpose reads the image");
        var affine = (Conv2dOp)moved.Nodes.Single(n => n.Inputs.Contains(t.Output));
        Assert.That((affine.Groups, affine.Weights.Length), Is.EqualTo((channels, channels)), "the map runs on the image's channels");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 3, 255f);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(moved, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-6, 1e-6, "moved vs original on the oracle");
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, inputScale: 255f, inspect: s =>
        {
            Ran.Kernel(s, TransposeKernel.Id, "to_nchw");
            if (channels % 4 != 0) return;
            Assert.That(((TransposeConstants)s.Dispatches.Single(d => d.Label == "to_nchw").Constants).PackedOut, Is.EqualTo(1), "writes NC4HW4");
            Assert.That(PackingDispatches(s), Is.Empty, "no packing dispatch");
        });
    }

    [Test]
    public void Fp16StorageMovesToo() =>
        GpuVsCpu.Check(Device, NhwcHead(9, 7, 4), 2, 3e-3, 3e-3, inputScale: 255f, options: new SessionOptions { Precision = Precision.Float16Storage },
            inspect: s => Assert.That(PackingDispatches(s), Is.Empty));

    // The stem's output is unpacked for the graph's output; nothing else converts.
    private static IEnumerable<string> PackingDispatches(InferenceSession s) =>
        s.Dispatches.Where(d => d.Shader == LayoutConvertKernel.Id.Shader && d.Label.EndsWith("/to_nc4hw4", StringComparison.Ordinal)).Select(d => d.Label);

    [Test]
    public void LeavesOtherMapsAlone()
    {
        var b = new GraphBuilder("per_channel", new TensorShape(9, 7, 4));
        var y = b.BatchNorm("bn", b.Input, [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], new float[9], new float[9], Ones(9), 0f);
        var perChannel = BatchNormToDepthwise.Apply(b.Build(b.Transpose("t", y, [2, 0, 1])));
        Assert.That(MoveScalarAffineAfterTranspose.Apply(perChannel), Is.SameAs(perChannel), "one scale per channel");

        b = new GraphBuilder("read_twice", new TensorShape(4, 5, 5));
        y = b.BatchNorm("bn", b.Input, Ones(4), new float[4], new float[4], Ones(4), 0f);
        var twice = BatchNormToDepthwise.Apply(b.Build(b.Add("sum", b.Transpose("t", y, [0, 2, 1]), y)));
        Assert.That(MoveScalarAffineAfterTranspose.Apply(twice), Is.SameAs(twice), "the map's output has another reader");
    }

    /// <summary>An H x W image of <paramref name="channels"/> stored NHWC (the value's C x H x W is H x W x channels),
    /// scaled to [-1, 1] by two scalar BatchNorms, transposed to NCHW and read by a 3x3 stride-2 stem with TF's SAME
    /// padding (bottom and right only), as M-LSD's input (also HlslKernelTests').</summary>
    internal static ModelGraph NhwcHead(int h, int w, int channels)
    {
        var b = new GraphBuilder("nhwc_head", new TensorShape(h, w, channels));
        var scaled = b.BatchNorm("div", b.Input, Enumerable.Repeat(1 / 127.5f, h).ToArray(), new float[h], new float[h], Ones(h), 0f);
        var shifted = b.BatchNorm("sub", scaled, Ones(h), Enumerable.Repeat(-1f, h).ToArray(), new float[h], Ones(h), 0f);
        var x = b.Transpose("to_nchw", shifted, [2, 0, 1]);
        var pad = Padding.Same(h, w, 3, 3, 2, 2);
        return b.Build(b.Conv2d("stem", x, 8, 3, 2, pad, 1, GpuVsCpu.RandomArray(8 * channels * 9, 5), GpuVsCpu.RandomArray(8, 6), Activation.Relu6));
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
}
