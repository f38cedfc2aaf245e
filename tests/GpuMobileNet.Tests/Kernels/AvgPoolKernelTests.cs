using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/avg_pool.comp; tolerance abs 1e-5 + rel 1e-5 (averages of O(1) values).</summary>
[OracleTestFor(typeof(AvgPoolOp))]
public class AvgPoolKernelTests : GpuTest
{
    [TestCase(5, 7, 7, 2)]
    [TestCase(1280, 7, 7, 1)]
    [TestCase(3, 9, 13, 3)]
    public void GlobalPool(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("gap", new TensorShape(c, h, w), (b, x) => b.GlobalAvgPool("pool", x));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5);
    }

    [Test]
    public void ThreeByThreeStrideTwoPaddingLeftOutOfTheCount()
    {
        var g = SmallOpGraphs.Build("pool", new TensorShape(4, 9, 8),
            (b, x) => b.AvgPool("pool", x, 3, 3, 2, 2, Padding.Same(9, 8, 3, 3, 2, 2)));
        GpuVsCpu.Check(Device, g, 2, 1e-5, 1e-5);
    }

    [TestCase(true, 2, TestName = "pool reads NC4HW4: global, batch 2")]
    [TestCase(false, 1, TestName = "pool reads NC4HW4: 3x3 s2 same padding")]
    public void ReadsAChannelPackedInput(bool global, int batch)
    {
        // A packed pointwise conv (12 channels: 3 vec4 blocks) feeds the pooling.
        var b = new GraphBuilder("pw_pool", new TensorShape(8, 9, 7));
        var pw = b.Conv2d("pw", b.Input, 12, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 96), TestData.Uniform(2, 12), Activation.Relu);
        var pool = global ? b.GlobalAvgPool("pool", pw) : b.AvgPool("pool", pw, 3, 3, 2, 2, Padding.Same(9, 7, 3, 3, 2, 2));
        GpuVsCpu.Check(Device, b.Build(pool), batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var op = s.Graph.Nodes.OfType<AvgPoolOp>().Single();
            Assert.That(op.Input.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
            // A global pool's C x 1 x 1 output stays planar; a pool with a plane writes packed, unpacked for the output.
            Assert.That(op.Output.Layout, Is.EqualTo(global ? TensorLayout.Nchw : TensorLayout.Nc4hw4));
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders[shaders.IndexOf("avg_pool") - 1], Is.EqualTo("pointwise_conv_packed"), "no conversion before the pool");
            // Both: one invocation per channel quad (a global pool's planar C x 1 x 1 output is the same bytes).
            Assert.That((bool)((AvgPoolConstants)s.Dispatches.Single(d => d.Shader == "avg_pool").Constants).OutPacked, Is.True);
        });
    }

    [TestCase(20, 37, 29, 2, Precision.Float32, 1e-5, TestName = "global pool of NC4HW4 one invocation a quad: 37x29, batch 2")]
    [TestCase(12, 3, 5, 1, Precision.Float32, 1e-5, TestName = "global pool of NC4HW4 one invocation a quad: 3x5, fewer pixels than lanes")]
    [TestCase(16, 2, 2, 2, Precision.Float32, 1e-5, TestName = "global pool of NC4HW4 one invocation a quad: 2x2, under 8 pixels")]
    [TestCase(36, 14, 14, 2, Precision.Float16Storage, 1e-2, TestName = "global pool of NC4HW4 one invocation a quad: fp16 storage")]
    [TestCase(8, 23, 11, 1, Precision.Float16, 1e-2, TestName = "global pool of NC4HW4 one invocation a quad: fp16")]
    public void GlobalPoolOfAPackedInputSumsEachQuadInOneInvocation(int c, int h, int w, int batch, Precision precision, double tol)
    {
        // A squeeze-and-excite gate's pool: packed conv -> global pool -> 1x1 conv of one pixel.
        var b = new GraphBuilder("pw_gap", new TensorShape(8, h, w));
        var pw = b.Conv2d("pw", b.Input, c, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 8 * c), TestData.Uniform(2, c), Activation.Relu);
        var pool = b.GlobalAvgPool("pool", pw);
        var y = b.Conv2d("squeeze", pool, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 4 * c), null);
        var options = PointwiseConvPackedKernelTests.Packed with { Precision = precision };
        GpuVsCpu.Check(Device, b.Build(y), batch, tol, tol, options: options, inspect: s =>
        {
            Ran.Kernel(s, AvgPoolKernel.Id, "pool");
            var d = s.Dispatches.Single(x => x.Label == "pool");
            int lanes = ((AvgPoolConstants)d.Constants).LocalSize;
            Assert.That(lanes, Is.EqualTo(AvgPoolKernel.QuadsPerWorkgroup));
            Assert.That(d.Groups, Is.EqualTo(((uint)((c / 4 + lanes - 1) / lanes), 1u, (uint)batch)), "one invocation per channel quad and batch item");
        });
    }

    [TestCase(12, 9, 7, 3, 2, 1, TestName = "pool NC4HW4 to NC4HW4: 3x3 s2 pad 1, odd plane, batch 1")]
    [TestCase(8, 6, 11, 3, 2, 2, TestName = "pool NC4HW4 to NC4HW4: 3x3 s2 pad 1, batch 2")]
    [TestCase(16, 5, 5, 2, 1, 2, TestName = "pool NC4HW4 to NC4HW4: 2x2 s1 unpadded, batch 2")]
    public void WritesAChannelPackedOutput(int c, int h, int w, int k, int stride, int batch)
    {
        // ShuffleNetV1's stride-2 shortcut: packed conv -> pool -> packed conv, no conversion between them.
        var b = new GraphBuilder("pw_pool_pw", new TensorShape(8, h, w));
        var pw = b.Conv2d("pw", b.Input, c, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 8 * c), TestData.Uniform(2, c), Activation.Relu);
        var pool = b.AvgPool("pool", pw, k, k, stride, stride, k == 3 ? Padding.Symmetric(1) : Padding.Zero);
        var y = b.Conv2d("pw2", pool, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 4 * c), null);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var op = s.Graph.Nodes.OfType<AvgPoolOp>().Single();
            Assert.That((op.Input.Layout, op.Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)));
            Assert.That(s.Dispatches.Select(d => d.Shader).Count(x => x == "layout_convert"), Is.EqualTo(2), "only at the input and output");
        });
    }

    [TestCase(true, 2, TestName = "squeeze-excite unfused, packed: pool writes NC4HW4, 1x1 convs on dense, batch 2")]
    [TestCase(false, 3, TestName = "squeeze-excite, planar: 1x1 convs of one pixel on dense, batch 3")]
    public void SqueezeExciteRunsWithoutConversionsOnTheDenseKernel(bool packed, int batch)
    {
        // pw (packed) -> global pool -> 1x1 conv + ReLU -> 1x1 conv + h-sigmoid: the gate of a squeeze-and-excite.
        // C x 1 x 1 is the same bytes in both layouts, so nothing converts between the pool and the gate.
        var b = new GraphBuilder("se", new TensorShape(8, 5, 9));
        var pw = b.Conv2d("pw", b.Input, 20, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 160), TestData.Uniform(2, 20), Activation.Relu);
        var pool = b.GlobalAvgPool("pool", pw);
        var squeeze = b.Conv2d("squeeze", pool, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 160), TestData.Uniform(4, 8), Activation.Relu);
        var gate = b.Conv2d("gate", squeeze, 20, 1, 1, Padding.Zero, 1, TestData.Uniform(5, 160), TestData.Uniform(6, 20), Activation.HardSigmoid);
        var options = packed ? PointwiseConvPackedKernelTests.Packed with { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true, FuseSqueezeExcite = false, FuseExcitation = false } } : new GpuMobileNet.Runtime.SessionOptions { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = false } };
        GpuVsCpu.Check(Device, b.Build(gate), batch, 1e-5, 1e-5, options: options, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            int poolAt = shaders.IndexOf("avg_pool");
            Assert.That(shaders.Skip(poolAt + 1).Take(2), Is.All.EqualTo("dense"), string.Join(", ", shaders));
            if (packed)
                Assert.That(s.Graph.Nodes.OfType<AvgPoolOp>().Single().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
        });
    }
}
