using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FiniteConstants.Check"/> reads every constant the op providers list: a NaN planted in any of
/// them (a BatchNorm statistic, a fused block's part, a dense layer) is refused with the op and the array named, and
/// the graph as built passes.</summary>
public class FiniteConstantsTests
{
    [Test]
    public void TheGraphAsBuiltPasses()
    {
        var g = ModelZoo.Create("mobilenet_v2", 0.5, 96, 10, WeightInit.Random(3));
        Assert.DoesNotThrow(() => FiniteConstants.Check(g));
        Assert.DoesNotThrow(() => FiniteConstants.Check(FusedBlocks(g)));
    }

    [Test]
    public void ANaNInABatchNormStatisticIsNamed()
    {
        var b = new GraphBuilder("bn", new TensorShape(3, 5, 5));
        var one = Enumerable.Repeat(1f, 3).ToArray();
        var variance = (float[])one.Clone();
        var g = b.Build(b.BatchNorm("bn", b.Input, one, new float[3], new float[3], variance, 1e-5f));
        variance[1] = float.NaN; // after the builder's check, as a pass could leave it
        Assert.That(() => FiniteConstants.Check(g), Throws.TypeOf<InvalidGraphException>()
            .With.Message.Contains("BatchNorm 'bn'").And.Message.Contains("variance").And.Message.Contains("at index 1"));
    }

    [Test]
    public void ANaNInAFusedBlockPartNamesTheBlockAndThePart()
    {
        var fused = FusedBlocks(ModelZoo.Create("mobilenet_v2", 0.5, 96, 10, WeightInit.Random(3)));
        var block = fused.Nodes.OfType<FusedBlockOp>().First(f => f.Expand is not null);
        block.Expand!.Weights[2] = float.NaN;
        Assert.That(() => FiniteConstants.Check(fused), Throws.TypeOf<InvalidGraphException>()
            .With.Message.Contains(block.ToString()).And.Message.Contains($"{block.Expand.Name} weights")
            .And.Message.Contains("(NaN) at index 2"));
    }

    [Test]
    public void ANaNInADenseBiasIsNamed()
    {
        var g = ModelZoo.Create("mobilenet_v2", 0.5, 96, 10, WeightInit.Random(3));
        var dense = g.Nodes.OfType<DenseOp>().Single();
        dense.Bias![7] = float.NaN;
        Assert.That(() => FiniteConstants.Check(g), Throws.TypeOf<InvalidGraphException>()
            .With.Message.Contains(dense.ToString()).And.Message.Contains("bias").And.Message.Contains("at index 7"));
    }

    // The GPU passes with inverted residuals fused (the check runs inside them, before any constant is spoiled).
    private static ModelGraph FusedBlocks(ModelGraph g) =>
        PassPipeline.Apply(g, new PassOptions { PackChannels = false, FuseInvertedResidual = true, FuseDepthwisePointwise = true });
}
