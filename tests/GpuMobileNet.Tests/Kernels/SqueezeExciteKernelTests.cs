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

/// <summary>shaders/squeeze_excite.comp (the squeeze-excite fusion turned on, channels packed) against the CPU oracle: odd
/// pixel counts, squeezed widths that are and are not multiples of 4 (vec4 and scalar excite rows), with and without
/// biases, batches. The gate multiplies a packed tensor read by a 1x1 conv (the gated read), as in MobileNetV3.
/// Tolerance abs 1e-5 + rel 1e-5 (averages and short dot products of O(1) values).</summary>
[OracleTestFor(typeof(SqueezeExciteOp))]
public class SqueezeExciteKernelTests : GpuTest
{
    /// <summary>Channels packed and the squeeze-excite fusion on (it is off by default).</summary>
    internal static readonly GpuMobileNet.Runtime.SessionOptions Fused =
        new() { Passes = new global::GpuMobileNet.Passes.PassOptions { PackChannels = true, FuseSqueezeExcite = true } };

    [TestCase(20, 8, 5, 9, true, 2, TestName = "SE 20->8->20 5x9 batch 2: vec4 excite rows")]
    [TestCase(12, 6, 7, 7, true, 3, TestName = "SE 12->6->12 7x7 batch 3: scalar excite rows")]
    [TestCase(36, 9, 1, 3, false, 1, TestName = "SE 36->9->36 1x3 no biases")]
    [TestCase(240, 64, 14, 14, true, 1, TestName = "SE 240->64->240 14x14: more channels than invocations")]
    public void MatchesOracle(int c, int s, int h, int w, bool bias, int batch)
    {
        var g = Graph(c, s, h, w, bias);
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, options: Fused, inspect: session =>
        {
            var shaders = session.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.Exactly(1).EqualTo(SqueezeExciteKernel.Id.Shader), string.Join(", ", shaders));
            Assert.That(shaders, Has.None.EqualTo(AvgPoolKernel.Id.Shader).And.None.EqualTo(DenseKernel.Id.Shader));
        });
    }

    [TestCase(20, 8, 5, 9, true, 2, Precision.Float32, 1e-5, TestName = "SE convolutions as one dispatch after the pool: 20->8->20 batch 2")]
    [TestCase(36, 9, 13, 11, false, 1, Precision.Float32, 1e-5, TestName = "SE convolutions as one dispatch after the pool: 36->9->36 no biases")]
    [TestCase(96, 4, 14, 14, true, 2, Precision.Float16Storage, 1e-2, TestName = "SE convolutions as one dispatch after the pool: fp16 storage")]
    [TestCase(24, 6, 7, 5, true, 1, Precision.Float16, 2e-2, TestName = "SE convolutions as one dispatch after the pool: fp16")]
    [TestCase(44, 11, 6, 3, true, 2, Precision.Float32, 1e-5, true, TestName = "SE dense layers (ncnn's InnerProduct) as one dispatch after the pool")]
    public void ConvolutionsAfterThePoolRunAsOneDispatchWhenAsked(int c, int s, int h, int w, bool bias, int batch, Precision precision, double tol,
        bool dense = false)
    {
        var packed = new SessionOptions { Passes = new PassOptions { PackChannels = true, FuseExcitation = true }, Precision = precision };
        GpuVsCpu.Check(Device, Graph(c, s, h, w, bias, dense), batch, tol, tol, options: packed, inspect: session =>
        {
            Ran.Kernel(session, SqueezeExciteKernel.Id, "excite");
            var shaders = session.Dispatches.Select(d => d.Shader).ToList();
            int pool = shaders.IndexOf(AvgPoolKernel.Id.Shader);
            Assert.That(shaders.Skip(pool + 1).First(), Is.EqualTo(SqueezeExciteKernel.Id.Shader), string.Join(", ", shaders));
            Assert.That(shaders, Has.None.EqualTo(DenseKernel.Id.Shader));
            var se = session.Graph.Nodes.OfType<SqueezeExciteOp>().Single();
            Assert.That(se.Pool.Input, Is.EqualTo(session.Graph.Nodes.OfType<AvgPoolOp>().Single().Output), "reads the pooled vector");
        });
    }

    [Test]
    public void LargeGateConvolutionsStayOnDenseAndSmallOnesOnlyWhenAsked()
    {
        // 520 x 128 multiply-adds a convolution exceed the bound: the two dense dispatches use every core.
        Assert.That(520L * 128, Is.GreaterThan(FuseSqueezeExcite.MaxExcitationMultiplyAdds));
        var asked = new PassOptions { PackChannels = true, FuseExcitation = true };
        var g = PassPipeline.Apply(Graph(520, 128, 2, 2, true), asked);
        Assert.That(g.Nodes.OfType<SqueezeExciteOp>(), Is.Empty);
        var small = PassPipeline.Apply(Graph(512, 128, 2, 2, true), asked);
        Assert.That(small.Nodes.OfType<SqueezeExciteOp>().Count(), Is.EqualTo(1), "512 x 128 is at the bound");
        Assert.That(PassPipeline.Apply(Graph(20, 8, 5, 9, true), new PassOptions { PackChannels = true }).Nodes.OfType<SqueezeExciteOp>(), Is.Empty, "off by default");
    }

    [Test]
    public void GateBeyondSharedMemoryStaysUnfused()
    {
        // 4000 + 1000 floats exceed the 16 KiB the kernel may take: pool and two dense dispatches instead.
        Assert.That(KernelCapabilities.CanFuseSqueezeExcite(4000, 1000), Is.False);
        Assert.That(KernelCapabilities.CanFuseSqueezeExcite(960, 240), Is.True);
        var fused = global::GpuMobileNet.Passes.PassPipeline.Apply(Graph(4000, 1000, 2, 2, true), new global::GpuMobileNet.Passes.PassOptions { PackChannels = true, FuseSqueezeExcite = true });
        Assert.That(fused.Nodes.OfType<SqueezeExciteOp>(), Is.Empty);
        Assert.That(fused.Nodes.OfType<AvgPoolOp>().Single().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
    }

    /// <summary>x (packed by a 1x1 conv) -> pool -> squeeze + ReLU -> excite + h-sigmoid -> x * gate -> 1x1 conv; with
    /// <paramref name="dense"/> the squeeze and excite are dense layers with swish and sigmoid (EfficientNet from ncnn).</summary>
    internal static ModelGraph Graph(int c, int s, int h, int w, bool bias, bool dense = false)
    {
        var b = new GraphBuilder("se", new TensorShape(8, h, w));
        var x = b.Conv2d("pw", b.Input, c, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 8 * c), TestData.Uniform(2, c), Activation.Relu);
        var pool = b.GlobalAvgPool("pool", x);
        var squeeze = dense
            ? b.Dense("squeeze", pool, s, TestData.Uniform(3, c * s), bias ? TestData.Uniform(4, s) : null, Activation.Swish)
            : b.Conv2d("squeeze", pool, s, 1, 1, Padding.Zero, 1, TestData.Uniform(3, c * s), bias ? TestData.Uniform(4, s) : null, Activation.Relu);
        var gate = dense
            ? b.Dense("excite", squeeze, c, TestData.Uniform(5, c * s), bias ? TestData.Uniform(6, c) : null, Activation.Sigmoid)
            : b.Conv2d("excite", squeeze, c, 1, 1, Padding.Zero, 1, TestData.Uniform(5, c * s), bias ? TestData.Uniform(6, c) : null, Activation.HardSigmoid);
        var scaled = b.Mul("scale", x, gate);
        var project = b.Conv2d("project", scaled, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(7, 8 * c, -0.2, 0.2), null, Activation.None);
        return b.Build(project);
    }
}
