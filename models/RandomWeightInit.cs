namespace GpuMobileNet.Models;

/// <summary>Random weights for tests and benchmarks. Convolutions use He-uniform scaling (variance 2 / fan-in)
/// so a ReLU network keeps the second moment of its activations; BatchNorm parameters stay near the identity
/// (gamma and variance in [0.5, 1.5], small mean and beta) so that 50 layers neither explode nor vanish and
/// the softmax is not saturated. Each layer draws from its own generator seeded by (seed, layer name).</summary>
internal sealed class RandomWeightInit(int seed) : WeightInit
{
    public override float[] ConvWeights(string layer, int outC, int inCPerGroup, int kernelH, int kernelW)
    {
        int fanIn = inCPerGroup * kernelH * kernelW;
        return Uniform(layer, "conv", outC * fanIn, Math.Sqrt(6.0 / fanIn));
    }

    // The classifier follows a pooled ReLU6 feature, not a zero-mean one: LeCun scaling (variance 1 / fan-in)
    // keeps the logits around unit spread instead of saturating the softmax.
    public override float[] DenseWeights(string layer, int outFeatures, int inFeatures) =>
        Uniform(layer, "dense", outFeatures * inFeatures, Math.Sqrt(3.0 / inFeatures));

    public override float[] Bias(string layer, int count) => Uniform(layer, "bias", count, 0.1);

    public override BatchNormWeights BatchNorm(string layer, int channels)
    {
        var rng = Generator(layer, "bn");
        float[] Draw(double lo, double hi)
        {
            var a = new float[channels];
            for (int i = 0; i < a.Length; i++) a[i] = (float)(lo + (hi - lo) * rng.NextDouble());
            return a;
        }
        var gamma = Draw(0.5, 1.5);
        var beta = Draw(-0.1, 0.1);
        var mean = Draw(-0.1, 0.1);
        var variance = Draw(0.5, 1.5);
        return new BatchNormWeights(gamma, beta, mean, variance, 1e-3f);
    }

    private float[] Uniform(string layer, string kind, int count, double limit)
    {
        var rng = Generator(layer, kind);
        var a = new float[count];
        for (int i = 0; i < a.Length; i++) a[i] = (float)((2.0 * rng.NextDouble() - 1.0) * limit);
        return a;
    }

    // string.GetHashCode is randomised per process, so a fixed FNV-1a hash keeps weights stable across runs.
    private Random Generator(string layer, string kind)
    {
        uint h = 2166136261u ^ (uint)seed;
        foreach (char ch in kind + "/" + layer)
            h = (h ^ ch) * 16777619u;
        return new Random((int)(h & 0x7fffffff));
    }
}
