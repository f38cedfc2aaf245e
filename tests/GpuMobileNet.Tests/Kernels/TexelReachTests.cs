using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Kernels that read the arena and the weights as texels on a device whose texel buffers reach less than
/// the session needs (maxTexelBufferElements may be 64K texels on mobile GPUs): the packed convolutions refuse
/// with a one-line error naming the op and what lies out of reach; dense falls back to scalar reads, the stem conv
/// to the uniform window.</summary>
public class TexelReachTests
{
    [Test]
    public void PackedConvolutionBeyondTheTexelViewsIsRefusedNamingIt()
    {
        var g = PackChannels.Apply(ConvGraphs.Conv(new TensorShape(8, 9, 9), 12, 1, 1, Padding.Zero, 1, true, Activation.None, residual: false));
        var conv = g.Nodes.OfType<Conv2dOp>().Single();
        var memory = ReusePlanner.Plan(g, 1, InPlacePolicy.Default);

        var wide = Context(memory, long.MaxValue);
        Assert.That(KernelSelector.Plan(conv, wide, new KernelChoice()).Single().Shader, Is.EqualTo(PointwiseConvPackedKernel.Id.Shader));

        var narrow = Context(memory, 64);
        var ex = Assert.Throws<NotSupportedException>(() => KernelSelector.Plan(conv, narrow, new KernelChoice()));
        Assert.That(ex!.Message, Does.Contain(conv.Name).And.Contain("maxTexelBufferElements").And.Contain("PackChannels = false"));
        Assert.That(ex.Message, Does.Not.Contain("\n"));
    }

    [TestCase(long.MaxValue, true)]
    [TestCase(16L, false)]
    public void DenseReadsTexelsOnlyWhereTheyReach(long reach, bool texels)
    {
        var g = SmallOpGraphs.Build("dense", new TensorShape(64, 1, 1), (b, x) => b.Dense("fc", x, 10, new float[640], new float[10]));
        var dense = g.Nodes.OfType<DenseOp>().Single();
        var dispatch = KernelSelector.Plan(dense, Context(ReusePlanner.Plan(g, 1, InPlacePolicy.Default), reach), new KernelChoice()).Single();
        Assert.That((bool)((DenseConstants)dispatch.Constants).Texels, Is.EqualTo(texels), "spec constant TEXELS");
    }

    [TestCase(long.MaxValue, true)]
    [TestCase(16L, false)]
    public void StemConvReadsTexelsOnlyWhereTheyReachElseTheUniformWindow(long reach, bool texels)
    {
        var g = ConvGraphs.Conv(new TensorShape(3, 16, 16), 8, 3, 2, Padding.Same(16, 16, 3, 3, 2, 2), 1, true, Activation.None, residual: false);
        var conv = g.Nodes.OfType<Conv2dOp>().Single();
        var dispatch = KernelSelector.Plan(conv, Context(ReusePlanner.Plan(g, 1, InPlacePolicy.Default), reach), new KernelChoice()).Single();
        Assert.That(dispatch.Shader, Is.EqualTo(Conv2dTiledKernel.Id.Shader));
        Assert.That((bool)((Conv2dTiledConstants)dispatch.Constants).Texels, Is.EqualTo(texels), "spec constant TEXELS");
    }

    private static KernelContext Context(MemoryPlan memory, long reach) =>
        new(memory, new WeightPacker(), 1, 16384, texelReachElements: reach);
}
