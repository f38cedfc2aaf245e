using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
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

    /// <summary>x (packed by a 1x1 conv) -> pool -> squeeze + ReLU -> excite + h-sigmoid -> x * gate -> 1x1 conv.</summary>
    internal static ModelGraph Graph(int c, int s, int h, int w, bool bias)
    {
        var b = new GraphBuilder("se", new TensorShape(8, h, w));
        var x = b.Conv2d("pw", b.Input, c, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 8 * c), TestData.Uniform(2, c), Activation.Relu);
        var pool = b.GlobalAvgPool("pool", x);
        var squeeze = b.Conv2d("squeeze", pool, s, 1, 1, Padding.Zero, 1, TestData.Uniform(3, c * s), bias ? TestData.Uniform(4, s) : null, Activation.Relu);
        var gate = b.Conv2d("excite", squeeze, c, 1, 1, Padding.Zero, 1, TestData.Uniform(5, c * s), bias ? TestData.Uniform(6, c) : null, Activation.HardSigmoid);
        var scaled = b.Mul("scale", x, gate);
        var project = b.Conv2d("project", scaled, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(7, 8 * c, -0.2, 0.2), null, Activation.None);
        return b.Build(project);
    }
}
