using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/layout_convert.comp. A graph whose input or output is itself packed exposes the raw GPU
/// storage, so the order of elements is checked exactly against NC4HW4 computed here (not just round trips).</summary>
[OracleTestFor(typeof(LayoutConvertOp))]
public class LayoutConvertKernelTests : GpuTest
{
    [TestCase(4, 1, 1, 1)]
    [TestCase(8, 3, 5, 2)]
    [TestCase(32, 7, 7, 3)]
    public void PacksToNc4hw4(int c, int h, int w, int batch)
    {
        var shape = new TensorShape(c, h, w);
        var input = new Value("input", shape);
        var packed = new Value("packed", shape, TensorLayout.Nc4hw4);
        var g = new ModelGraph("pack", input, [new LayoutConvertOp("pack", input, packed)], packed);
        var x = GpuVsCpu.RandomArray(batch * shape.Elements, 3);
        Assert.That(Run(g, x, batch, Precision.Float32), Is.EqualTo(Pack(x, shape, batch)));
    }

    [TestCase(4, 2, 3, 1)]
    [TestCase(12, 5, 4, 2)]
    public void UnpacksToNchw(int c, int h, int w, int batch)
    {
        var shape = new TensorShape(c, h, w);
        var input = new Value("input", shape, TensorLayout.Nc4hw4);
        var planar = new Value("planar", shape);
        var g = new ModelGraph("unpack", input, [new LayoutConvertOp("unpack", input, planar)], planar);
        var x = GpuVsCpu.RandomArray(batch * shape.Elements, 4);
        Assert.That(Pack(Run(g, x, batch, Precision.Float32), shape, batch), Is.EqualTo(x), "unpack is the inverse of packing");
    }

    /// <summary>Unpacking a value padded to whole quads (a convolution's padded output) keeps each batch item's first
    /// channels: the planar tensor has 1 to 3 channels fewer.</summary>
    [TestCase(5, 3, 2, 2)]
    [TestCase(126, 2, 3, 2)]
    [TestCase(3, 1, 1, 3)]
    public void UnpackingDropsPadding(int c, int h, int w, int batch)
    {
        var padded = new TensorShape((c + 3) / 4 * 4, h, w);
        var input = new Value("input", padded, TensorLayout.Nc4hw4);
        var planar = new Value("planar", padded with { C = c });
        var convert = new LayoutConvertOp("unpack", input, planar);
        Assert.That(convert.DropsPadding);
        var g = new ModelGraph("unpack", input, [convert], planar);
        var x = GpuVsCpu.RandomArray(batch * padded.Elements, 6);
        int hw = h * w, quads = padded.C / 4;
        var expected = new float[batch * planar.Shape.Elements];
        for (int n = 0; n < batch; n++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++)
                    expected[(n * c + ch) * hw + p] = x[((n * quads + ch / 4) * hw + p) * 4 + ch % 4];
        Assert.That(Run(g, x, batch, Precision.Float32), Is.EqualTo(expected));
    }

    [TestCase(Precision.Float16Storage)]
    [TestCase(Precision.Float16)]
    public void Fp16CopiesTheStoredHalvesUnchanged(Precision precision)
    {
        var shape = new TensorShape(8, 3, 3);
        var input = new Value("input", shape);
        var packed = new Value("packed", shape, TensorLayout.Nc4hw4);
        var g = new ModelGraph("pack", input, [new LayoutConvertOp("pack", input, packed)], packed);
        var x = GpuVsCpu.RandomArray(shape.Elements, 5).Select(v => (float)(Half)v).ToArray();
        Assert.That(Run(g, x, 1, precision), Is.EqualTo(Pack(x, shape, 1)));
    }

    [Test]
    public void AConversionToTheSameLayoutIsRejectedNamingTheOp()
    {
        var shape = new TensorShape(4, 2, 2);
        var input = new Value("input", shape);
        var same = new Value("same", shape);
        var g = new ModelGraph("noop", input, [new LayoutConvertOp("noop", input, same)], same);
        var ex = Assert.Throws<NotSupportedException>(() => InferenceSession.Create(g, Device));
        Assert.That(ex!.Message, Does.Contain("LayoutConvert 'noop'").And.Contain("another layout"));
    }

    private float[] Run(ModelGraph g, float[] x, int batch, Precision precision)
    {
        using var session = InferenceSession.Create(g, Device, new SessionOptions { Batch = batch, Precision = precision });
        Ran.Kernel(session, LayoutConvertKernel.Id, g.Nodes.Single().Name);
        return session.Run(x);
    }

    /// <summary>NCHW to NC4HW4 on the CPU, straight from the layout's definition.</summary>
    internal static float[] Pack(float[] x, TensorShape s, int batch)
    {
        var packed = new float[x.Length];
        int hw = s.H * s.W;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < s.C; c++)
                for (int p = 0; p < hw; p++)
                    packed[((n * (s.C / 4) + c / 4) * hw + p) * 4 + c % 4] = x[(n * s.C + c) * hw + p];
        return packed;
    }
}
