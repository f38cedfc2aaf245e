using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Average pooling and the packed 1x1 kernels (grouped, read through a shuffle, or plain) writing their channel
/// quads of a concatenation's buffer (<see cref="ConcatPartWriteOp"/>, made by <see cref="FoldConcatWriters"/>) against the
/// CPU oracle of the unfolded graph: ShuffleNetV1 stride-2 units on odd planes, batch 2, parts in either order (so each
/// kind writes at channel 0 and further in), packed and planar (pool and grouped 1x1 writing NCHW, parts of 6 and 34
/// channels), three parts, fp16, no memory reuse; and ShuffleNetV1 sessions (g = 3 and g = 1, batch 1 and 2, and g = 2,
/// whose stage 2 is planar) plan no copy kernel (by the kernel each dispatch runs). SqueezeNet's fire module and a
/// GoogLeNet-like inception block: the 3x3 expand's Winograd output transform (F2, F4) or conv2d_packed (forced
/// direct, and the 5x5 branch) writing its quads of the buffer, fp32 and fp16.</summary>
[OracleTestFor(typeof(ConcatPartWriteOp))]
public class ConcatPartWriteKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    [TestCase(3, 24, 96, 9, 7, 2, false, TestName = "g=3 unit 24 -> 96 at 9x7, batch 2, shortcut first")]
    [TestCase(3, 24, 96, 9, 7, 1, true, TestName = "g=3 unit 24 -> 96 at 9x7, branch first")]
    [TestCase(1, 12, 48, 5, 11, 2, false, TestName = "g=1 unit 12 -> 48 at 5x11, batch 2 (plain packed 1x1 writer)")]
    [TestCase(1, 12, 48, 7, 5, 1, true, TestName = "g=1 unit 12 -> 48 at 7x5, branch first")]
    [TestCase(4, 16, 128, 6, 6, 2, true, TestName = "g=4 unit 16 -> 128 at 6x6, batch 2, branch first")]
    [TestCase(4, 32, 272, 5, 5, 1, false, TestName = "g=4 ragged unit 32 -> 272 (mid 68, 60 per group out)")]
    public void StrideTwoUnitWritesOneBuffer(int groups, int inC, int outC, int h, int w, int batch, bool branchFirst)
    {
        var g = StrideTwoUnit(groups, inC, outC, h, w, branchFirst);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(MappedConvKernelTests.CopyKernels), Is.Empty, "no copy kernel");
            Assert.That(s.Dispatches.Count(d => d.Shader == LayoutConvertKernel.Id.Shader), Is.EqualTo(2), "packed from the input to the output");
            var writers = s.Dispatches.Where(d => d.Source is ConcatPartWriteOp).ToList();
            Assert.That(writers.Select(d => d.Shader), Is.EquivalentTo(new[]
            {
                AvgPoolKernel.Id.Shader, groups > 1 ? PointwiseConvGroupedPackedKernel.Id.Shader : PointwiseConvPackedKernel.Id.Shader,
            }));
            Assert.That(writers.Select(d => ((ConcatPartWriteOp)d.Source!).FirstChannel), Is.EquivalentTo(new[] { 0, branchFirst ? outC - inC : inC }));
        });
    }

    [TestCase(2, 12, 40, 9, 7, 2, false, TestName = "planar g=2 unit 12 -> 40 (mid 10) at 9x7, batch 2: the packed pool writes NCHW")]
    [TestCase(2, 6, 40, 5, 5, 2, true, TestName = "planar g=2 unit 6 -> 40 at 5x5, batch 2, branch first: parts of 34 and 6 channels")]
    [TestCase(3, 12, 60, 7, 9, 1, false, TestName = "planar g=3 unit 12 -> 60 (mid 15) at 7x9")]
    public void PlanarStrideTwoUnitWritesOneBuffer(int groups, int inC, int outC, int h, int w, int batch, bool branchFirst)
    {
        // h-swish in the first 1x1 keeps PadShuffledGroups off (it pads only after ReLU-like activations), so the
        // bottleneck of groups that are not whole quads stays planar between packed tensors.
        var g = StrideTwoUnit(groups, inC, outC, h, w, branchFirst, Activation.HardSwish);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(MappedConvKernelTests.CopyKernels), Is.Empty, "no copy kernel");
            var writers = s.Dispatches.Where(d => d.Source is ConcatPartWriteOp).ToList();
            Assert.That(writers.Select(d => d.Shader), Is.EquivalentTo(new[] { AvgPoolKernel.Id.Shader, PointwiseConvGroupedKernel.Id.Shader }));
            Assert.That(writers.Select(d => d.Source!.Output.Layout).Distinct(), Is.EqualTo(new[] { TensorLayout.Nchw }));
            Assert.That(writers.Select(d => ((ConcatPartWriteOp)d.Source!).FirstChannel), Is.EquivalentTo(new[] { 0, branchFirst ? outC - inC : inC }));
        });
    }

    [TestCase(2, TestName = "three parts: pool, plain 1x1, grouped 1x1, batch 2")]
    public void ThreePartsChainInPlace(int batch)
    {
        var b = new GraphBuilder("three", new TensorShape(8, 7, 9));
        var x = b.Conv2d("in", b.Input, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * 8, 1), GpuVsCpu.RandomArray(12, 2), Activation.Relu);
        var pool = b.AvgPool("pool", x, 3, 3, 1, 1, Padding.Symmetric(1));
        var plain = b.Conv2d("plain", x, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 12, 3), GpuVsCpu.RandomArray(8, 4), Activation.Relu6);
        var grouped = b.Conv2d("grouped", x, 24, 1, 1, Padding.Zero, 3, GpuVsCpu.RandomArray(24 * 4, 5), null);
        var joined = b.Concat("concat", [grouped, pool, plain], [24, 12, 8]);
        var g = b.Build(b.Conv2d("out", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 44, 6)));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(MappedConvKernelTests.CopyKernels), Is.Empty);
            var writers = s.Dispatches.Select(d => d.Source).OfType<ConcatPartWriteOp>().ToList();
            Assert.That(writers.Select(w => (w.Name, w.FirstChannel, w.Into is null)),
                Is.EqualTo(new[] { ("pool", 24, true), ("plain", 36, false), ("grouped", 0, false) }), "graph order; the first makes the buffer");
        });
    }

    [Test]
    public void WithoutMemoryReuseTheWritersStillShareTheirBuffer() =>
        GpuVsCpu.Check(Device, StrideTwoUnit(3, 24, 96, 5, 5, branchFirst: false), 2, 1e-4, 1e-4, options: Packed with { MemoryReuse = false });

    [TestCase(Precision.Float16Storage, 3e-3, 24, 96)]
    [TestCase(Precision.Float16, 1e-2, 24, 96)]
    [TestCase(Precision.Float16Storage, 3e-3, 12, 60, TestName = "Fp16 storage, planar unit (mid 15)")]
    public void Fp16(Precision precision, double tolerance, int inC, int outC) =>
        GpuVsCpu.Check(Device, StrideTwoUnit(3, inC, outC, 7, 6, branchFirst: false), 2, tolerance, tolerance, options: Packed with { Precision = precision });

    [TestCase(3, 1, TestName = "ShuffleNetV1 g=3 at 57x57, batch 1")]
    [TestCase(3, 2, TestName = "ShuffleNetV1 g=3 at 57x57, batch 2")]
    [TestCase(1, 1, TestName = "ShuffleNetV1 g=1 at 57x57, batch 1")]
    [TestCase(1, 2, TestName = "ShuffleNetV1 g=1 at 57x57, batch 2")]
    [TestCase(2, 2, TestName = "ShuffleNetV1 g=2 at 57x57, batch 2 (stage 2 planar: mid 50)")]
    public void ShuffleNetV1MatchesOracleWithNoCopyKernel(int groups, int batch)
    {
        var g = ShuffleNetV1.Create(groups, 1.0, 57, classes: 16);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-3, options: Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders.Intersect(MappedConvKernelTests.CopyKernels), Is.Empty, "no copy kernel");
            if (groups != 2) Assert.That(shaders, Has.No.Member(LayoutConvertKernel.Id.Shader), "no layout conversion either");
            Assert.That(s.Dispatches.Count(d => d.Source is ConcatPartWriteOp), Is.EqualTo(6), "two writers per stride-2 unit");
        });
    }

    [TestCase(3, TestName = "ShuffleNetV1 g=3 at 45x45, batch 2, as on a GPU (NCHW, blocks fused)")]
    [TestCase(1, TestName = "ShuffleNetV1 g=1 at 45x45, batch 2, as on a GPU (NCHW, blocks fused)")]
    public void PlanarShuffleNetV1HasNoConcatCopy(int groups)
    {
        // With channels not packed the writers are the planar average pool and grouped 1x1; for g = 1 the depthwise and
        // the plain 1x1 after it become one fused block, which writes no concatenation, so those stay copies.
        var g = ShuffleNetV1.Create(groups, 1.0, 45, classes: 16);
        var planar = new SessionOptions { Passes = new PassOptions { PackChannels = false, FuseDepthwisePointwise = true, FuseInvertedResidual = true } };
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-3, options: planar, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(PointwiseConvGroupedPackedKernel.Id.Shader), "planar");
            int copies = s.Dispatches.Count(d => d.Shader == ConcatKernel.Id.Shader);
            Assert.That(copies, groups > 1 ? Is.Zero : Is.GreaterThan(0));
            Assert.That(s.Dispatches.Count(d => d.Source is ConcatPartWriteOp), Is.EqualTo(groups > 1 ? 6 : 0));
        });
    }

    [TestCase("WinogradF2", 1, 9, 7, TestName = "fire module, 3x3 expand on Winograd F2, at 9x7")]
    [TestCase("WinogradF4", 2, 11, 6, TestName = "fire module, 3x3 expand on Winograd F4, at 11x6, batch 2")]
    [TestCase("Direct", 2, 7, 9, TestName = "fire module, 3x3 expand on conv2d_packed, at 7x9, batch 2")]
    public void FireModuleExpandsWriteOneBuffer(string algorithm, int batch, int h, int w)
    {
        var conv3x3 = Enum.Parse<Conv3x3Algorithm>(algorithm);
        var options = Packed with { Kernels = new KernelChoice(Conv3x3: conv3x3) };
        GpuVsCpu.Check(Device, InceptionLike(h, w, withFiveByFive: false), batch, 1e-4, 1e-4, options: options, inspect: s =>
            AssertWritersRan(s, conv3x3 == Conv3x3Algorithm.Direct ? Conv2dPackedKernel.Id.Shader : WinogradConvKernel.OutputId.Shader));
    }

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void InceptionBranchesWriteOneBufferFp16(Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, InceptionLike(8, 9, withFiveByFive: true), 2, tolerance, tolerance,
            options: Packed with { Precision = precision, Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2) },
            inspect: s => AssertWritersRan(s, WinogradConvKernel.OutputId.Shader, Conv2dPackedKernel.Id.Shader));

    [Test]
    public void InceptionBranchesWriteOneBuffer() =>
        GpuVsCpu.Check(Device, InceptionLike(7, 10, withFiveByFive: true), 1, 1e-4, 1e-4, options: Packed,
            inspect: s => AssertWritersRan(s, Conv2dPackedKernel.Id.Shader));

    // No concat copy; the 1x1 expand and each kernel named wrote their channels of the buffer.
    private static void AssertWritersRan(InferenceSession s, params string[] shaders)
    {
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(ConcatKernel.Id.Shader), "no concat copy");
        var written = s.Dispatches.Where(d => d.Source is ConcatPartWriteOp).Select(d => d.Shader).ToList();
        Assert.That(written, Has.Member(PointwiseConvPackedKernel.Id.Shader));
        foreach (var shader in shaders) Assert.That(written, Has.Member(shader));
    }

    // SqueezeNet's fire module (squeeze 1x1, expand 1x1 and 3x3 with ReLU, concatenated), with GoogLeNet's 5x5 branch
    // (conv2d_packed) as a third part if asked; 20 and 12 expand channels so the parts start at awkward quads.
    private static ModelGraph InceptionLike(int h, int w, bool withFiveByFive)
    {
        var b = new GraphBuilder("fire", new TensorShape(6, h, w));
        var squeeze = b.Conv2d("squeeze", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 6, 1), GpuVsCpu.RandomArray(8, 2), Activation.Relu);
        var e1 = b.Conv2d("expand1x1", squeeze, 20, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(20 * 8, 3), GpuVsCpu.RandomArray(20, 4), Activation.Relu);
        var e3 = b.Conv2d("expand3x3", squeeze, 12, 3, 1, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(12 * 8 * 9, 5, 0.5f), GpuVsCpu.RandomArray(12, 6), Activation.Relu);
        Value[] parts = [e1, e3];
        if (withFiveByFive)
            parts = [.. parts, b.Conv2d("conv5x5", squeeze, 8, 5, 1, Padding.Symmetric(2), 1, GpuVsCpu.RandomArray(8 * 8 * 25, 7, 0.3f), GpuVsCpu.RandomArray(8, 8))];
        var joined = b.Concat("concat", parts, [.. parts.Select(p => p.Shape.C)]);
        int c = joined.Shape.C;
        return b.Build(b.Conv2d("out", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 9, 0.5f)));
    }

    // ShuffleNetV1's stride-2 unit (grouped 1x1 + ReLU, shuffle, 3x3 stride-2 depthwise, grouped 1x1; concatenated with the
    // 3x3 stride-2 average pool of its input; ReLU) between a packed 1x1 before and after it.
    internal static ModelGraph StrideTwoUnit(int groups, int inC, int outC, int h, int w, bool branchFirst, Activation first = Activation.Relu)
    {
        int mid = outC / 4, branchC = outC - inC;
        var b = new GraphBuilder("unit", new TensorShape(inC, h, w));
        var x = b.Conv2d("in", b.Input, inC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(inC * inC, 1, 0.5f), GpuVsCpu.RandomArray(inC, 2), Activation.Relu);
        var y = b.Conv2d("gconv1", x, mid, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(mid * inC / groups, 3, 0.5f), GpuVsCpu.RandomArray(mid, 4), first);
        if (groups > 1) y = b.ChannelShuffle("shuffle", y, groups);
        y = b.Conv2d("dw", y, mid, 3, 2, Padding.Symmetric(1), mid, GpuVsCpu.RandomArray(mid * 9, 5), GpuVsCpu.RandomArray(mid, 6));
        y = b.Conv2d("gconv2", y, branchC, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(branchC * mid / groups, 7, 0.5f), GpuVsCpu.RandomArray(branchC, 8));
        var shortcut = b.AvgPool("avgpool", x, 3, 3, 2, 2, Padding.Symmetric(1));
        var joined = branchFirst ? b.Concat("concat", [y, shortcut], [branchC, inC]) : b.Concat("concat", [shortcut, y], [inC, branchC]);
        var relu = b.Activate("relu", joined, Activation.Relu);
        return b.Build(b.Conv2d("out", relu, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * outC, 9, 0.5f)));
    }
}
