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

/// <summary><see cref="FoldTransposedSoftmax"/>: a softmax between a transpose and its inverse becomes one softmax along
/// the matching axis of the untransposed tensor, for each permutation and softmax axis, after a 1x1 convolution of an
/// awkward channel count (11, as a head's 80 classes are not whole quads at other widths); the folded graph computes
/// the same on the oracle (1e-6) and on the device (fp32 1e-5, fp16 2e-3) with no transpose dispatched; a softmax over
/// flattened axes, transposes that are not inverses, and a transposed tensor read twice stay as they were.</summary>
public class FoldTransposedSoftmaxTests : GpuTest
{
    [TestCase(new[] { 1, 2, 0 }, 2, 2, TestName = "channels last, softmax over the channels (yolo-fastestv2's heads)")]
    [TestCase(new[] { 2, 0, 1 }, 1, 1, TestName = "softmax over the channels at H")]
    [TestCase(new[] { 0, 2, 1 }, 1, 2, TestName = "rows and columns swapped, softmax over the rows")]
    [TestCase(new[] { 2, 1, 0 }, 0, 1, TestName = "reversed, softmax over the columns")]
    public void FoldsToOneSoftmax(int[] perm, int axis, int batch)
    {
        var g = Head(perm, axis, Inverse(perm));
        var folded = FoldTransposedSoftmax.Apply(g);
        Assert.That(folded.Nodes.OfType<TransposeOp>(), Is.Empty);
        var softmax = folded.Nodes.OfType<AxisSoftmaxOp>().Single();
        Assert.That(FoldTransposedSoftmax.AxisOf(softmax, softmax.Input.Shape), Is.EqualTo(perm[axis]), "along the same axis of the original");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 3, 4f);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-6, 1e-6, "folded vs original on the oracle");
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, inputScale: 4f, inspect: NoTransposes);
    }

    [Test]
    public void Fp16FoldsToo()
    {
        var g = Head([1, 2, 0], 2, [2, 0, 1]);
        GpuVsCpu.Check(Device, g, 1, 2e-3, 2e-3, inputScale: 4f, options: new SessionOptions { Precision = Precision.Float16 }, inspect: NoTransposes);
    }

    [Test]
    public void LeavesOtherShapesAlone()
    {
        var notInverse = Head([1, 2, 0], 2, [1, 2, 0]);
        Assert.That(FoldTransposedSoftmax.Apply(notInverse), Is.SameAs(notInverse), "transposes that are not inverses");

        var b = new GraphBuilder("flattened", new TensorShape(11, 5, 7));
        var t = b.Transpose("forth", b.Input, [1, 2, 0]);
        var s = b.AxisSoftmax("softmax", t, 5, 7 * 11, 1); // over H and W flattened into one axis (ONNX before opset 13)
        var flattened = b.Build(b.Transpose("back", s, [2, 0, 1]));
        Assert.That(FoldTransposedSoftmax.Apply(flattened).Nodes.OfType<TransposeOp>().Count(), Is.EqualTo(2), "a softmax over several axes");

        b = new GraphBuilder("read twice", new TensorShape(11, 5, 7));
        t = b.Transpose("forth", b.Input, [1, 2, 0]);
        s = b.AxisSoftmax("softmax", t, 35, 11, 1);
        var twice = b.Build(b.Add("sum", b.Transpose("back", s, [2, 0, 1]), b.Transpose("again", t, [2, 0, 1])));
        Assert.That(FoldTransposedSoftmax.Apply(twice), Is.SameAs(twice), "the transposed tensor has another reader");
    }

    // A 1x1 conv to 11 channels, Transpose(perm), softmax along axis `axis` of the transposed tensor, Transpose(back).
    private static ModelGraph Head(int[] perm, int axis, int[] back)
    {
        var b = new GraphBuilder("head", new TensorShape(6, 5, 7));
        var x = b.Conv2d("conv", b.Input, 11, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(66, 1), GpuVsCpu.RandomArray(11, 2));
        var t = b.Transpose("forth", x, perm);
        var (outer, size, inner) = FoldTransposedSoftmax.Split(t.Shape, axis);
        var s = b.AxisSoftmax("softmax", t, outer, size, inner);
        return b.Build(b.Transpose("back", s, back));
    }

    private static int[] Inverse(int[] perm) => [.. Enumerable.Range(0, 3).Select(i => Array.IndexOf(perm, i))];

    private static void NoTransposes(InferenceSession s)
    {
        Ran.Kernel(s, AxisSoftmaxKernel.Id, "softmax");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(TransposeKernel.Id.Shader));
    }
}
