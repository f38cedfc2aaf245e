using GpuMobileNet.Models;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

public class WeightInitTests
{
    [Test]
    public void SameSeedSameWeightsWhateverTheOrder()
    {
        var a = WeightInit.Random(5);
        var b = WeightInit.Random(5);
        var aFirst = a.ConvWeights("conv_a", 8, 4, 3, 3);
        var aSecond = a.ConvWeights("conv_b", 8, 4, 3, 3);
        var bSecond = b.ConvWeights("conv_b", 8, 4, 3, 3);
        var bFirst = b.ConvWeights("conv_a", 8, 4, 3, 3);
        Assert.That(bFirst, Is.EqualTo(aFirst));
        Assert.That(bSecond, Is.EqualTo(aSecond));
        Assert.That(aSecond, Is.Not.EqualTo(aFirst), "different layers get different weights");
    }

    [Test]
    public void DifferentSeedsDiffer() =>
        Assert.That(WeightInit.Random(1).DenseWeights("fc", 10, 20), Is.Not.EqualTo(WeightInit.Random(2).DenseWeights("fc", 10, 20)));

    [TestCase(3 * 3 * 3)]
    [TestCase(9)]
    [TestCase(384)]
    public void ConvWeightsHaveHeVariance(int fanIn)
    {
        // He scaling, variance 2 / fan-in, is what keeps a deep ReLU stack from exploding or vanishing.
        var w = WeightInit.Random(3).ConvWeights("conv", 4000 / fanIn + 64, fanIn, 1, 1);
        double mean = w.Average(v => (double)v);
        double variance = w.Average(v => (v - mean) * (v - mean));
        Assert.That(variance, Is.EqualTo(2.0 / fanIn).Within(10).Percent);
        Assert.That(Math.Abs(mean), Is.LessThan(0.1 * Math.Sqrt(2.0 / fanIn)));
    }

    [Test]
    public void BatchNormStaysNearIdentity()
    {
        var bn = WeightInit.Random(3).BatchNorm("bn", 256);
        Assert.That(bn.Gamma, Is.All.InRange(0.5f, 1.5f));
        Assert.That(bn.Variance, Is.All.InRange(0.5f, 1.5f));
        Assert.That(bn.Mean.Concat(bn.Beta), Is.All.InRange(-0.1f, 0.1f));
        Assert.That(bn.Epsilon, Is.GreaterThan(0));
        Assert.That(bn.Gamma.Distinct().Count(), Is.GreaterThan(200), "gamma must vary per channel");
    }
}
