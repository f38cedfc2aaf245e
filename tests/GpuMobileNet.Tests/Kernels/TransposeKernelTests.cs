using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/transpose.comp: every permutation of (C, H, W) on odd sizes; a copy is exact (tolerance 0); packed
/// inputs and outputs.</summary>
[OracleTestFor(typeof(TransposeOp))]
public class TransposeKernelTests : GpuTest
{
    [TestCase(new[] { 0, 1, 2 }, 2)]
    [TestCase(new[] { 1, 2, 0 }, 2)]
    [TestCase(new[] { 2, 0, 1 }, 1)]
    [TestCase(new[] { 0, 2, 1 }, 3)]
    [TestCase(new[] { 1, 0, 2 }, 1)]
    [TestCase(new[] { 2, 1, 0 }, 2)]
    public void MatchesOracle(int[] perm, int batch)
    {
        var g = SmallOpGraphs.Build("transpose", new TensorShape(3, 5, 7), (b, x) => b.Transpose("t", x, perm));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Assert.That(ReadsTexels(s), Is.True, "spec constant TEXELS"));
    }

    [TestCase(Runtime.Precision.Float16Storage)]
    [TestCase(Runtime.Precision.Float16)]
    public void Fp16MovesTheStoredHalves(Runtime.Precision precision)
    {
        // The input is stored as halves (the oracle's fp32 input rounded once); texels of an RGBA16F view read them back.
        var g = SmallOpGraphs.Build("transpose", new TensorShape(5, 3, 7), (b, x) => b.Transpose("t", x, [2, 0, 1]));
        GpuVsCpu.Check(Device, g, 2, 1e-3, 1e-3, options: new Runtime.SessionOptions { Precision = precision },
            inspect: s => Assert.That(ReadsTexels(s), Is.True, "spec constant TEXELS"));
    }

    /// <summary>Whether the layer "t" ran on transpose.comp (checked) reading texels.</summary>
    internal static bool ReadsTexels(Runtime.InferenceSession s)
    {
        Ran.Kernel(s, TransposeKernel.Id, "t");
        return (bool)((TransposeConstants)s.Dispatches.Single(d => d.Label == "t").Constants).Texels;
    }

    /// <summary>A packed 1x1 convolution's output (12 channels, odd H and W) transposed: read packed, no unpacking
    /// dispatch between them (an SSD head turned channels-last).</summary>
    [TestCase(new[] { 1, 2, 0 }, 2)]
    [TestCase(new[] { 2, 0, 1 }, 1)]
    [TestCase(new[] { 0, 2, 1 }, 1)]
    public void ReadsAPackedInput(int[] perm, int batch)
    {
        var g = SmallOpGraphs.Build("packed_transpose", new TensorShape(8, 5, 7), (b, x) =>
            b.Transpose("t", b.Conv2d("c", x, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * 8, 3), GpuVsCpu.RandomArray(12, 4)), perm));
        // Not folded into the 1x1's channels-last store (FoldChannelsLastStoreTests), so that the transpose itself runs.
        var options = new SessionOptions { Passes = new PassOptions { PackChannels = true, FoldChannelsLastStore = false } };
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, options: options, inspect: s =>
        {
            Ran.Kernel(s, TransposeKernel.Id, "t");
            var spec = (TransposeConstants)s.Dispatches.Single(d => d.Label == "t").Constants;
            Assert.That(spec with { Texels = default }, Is.EqualTo(new TransposeConstants(
                KernelContext.WorkgroupSize, 12, 5, 7, perm[0], perm[1], perm[2], default, PackedIn: 1)), "the transpose reads NC4HW4");
            Assert.That(s.Dispatches.Select(d => d.Label), Has.No.Member("c/to_nchw"), "the conv's output is not unpacked");
        });
    }

    /// <summary>Written packed where a packed 1x1 reads it: from a planar input (odd H and W, 8 channels after the
    /// transpose) and from a packed one (12 channels); no packing dispatch after the transpose; fp32 exact (the 1x1's
    /// sums 1e-5), fp16 storage 2e-3.</summary>
    [TestCase(false, Precision.Float32, 1e-5, TestName = "transpose: planar in, packed out")]
    [TestCase(true, Precision.Float32, 1e-5, TestName = "transpose: packed in, packed out")]
    [TestCase(false, Precision.Float16Storage, 2e-3, TestName = "transpose: planar in, packed out, fp16 storage")]
    public void WritesAPackedOutput(bool packedIn, Precision precision, double tolerance)
    {
        var g = PackedOutputGraph(packedIn);
        var options = new SessionOptions { Precision = precision, Passes = new PassOptions { PackChannels = true } };
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: options, inspect: s =>
        {
            Ran.Kernel(s, TransposeKernel.Id, "t");
            var spec = (TransposeConstants)s.Dispatches.Single(d => d.Label == "t").Constants;
            Assert.That((spec.PackedIn, spec.PackedOut), Is.EqualTo((packedIn ? 1 : 0, 1)), "reads and writes NC4HW4");
            Assert.That(s.Dispatches.Select(d => d.Label), Has.No.Member("t/to_nc4hw4"), "the transpose's output is not packed again");
        });
    }

    /// <summary>A transpose read by a packed 1x1: of the (7, 5, 8) input itself, or of a packed 1x1's 12 channels (also
    /// HlslKernelTests').</summary>
    internal static ModelGraph PackedOutputGraph(bool packedIn)
    {
        var b = new GraphBuilder("packed_out", packedIn ? new TensorShape(8, 5, 7) : new TensorShape(7, 5, 8));
        var x = packedIn ? b.Conv2d("c", b.Input, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * 8, 3), GpuVsCpu.RandomArray(12, 4)) : b.Input;
        var t = b.Transpose("t", x, packedIn ? [0, 2, 1] : [2, 0, 1]);
        int c = t.Shape.C;
        return b.Build(b.Conv2d("read", t, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 5), GpuVsCpu.RandomArray(8, 6), Activation.Relu));
    }

    [Test]
    public void NhwcToNchwMovesEachElement()
    {
        // A 2x2 RGB image stored NHWC as the value's (H=2, W=2, C=3) "channels, height, width".
        var g = SmallOpGraphs.Build("nhwc", new TensorShape(2, 2, 3), (b, x) => b.Transpose("to_nchw", x, [2, 0, 1]));
        var nhwc = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, TransposeKernel.Id, "to_nchw");
        Assert.That(session.Run(nhwc), Is.EqualTo(new float[] { 0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11 }));
    }
}
