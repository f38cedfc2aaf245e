namespace GpuMobileNet.Models;

/// <summary>Supplies the weights of each layer a model builder creates, asked for by layer name
/// (Keras names, so a loader of packaged weights can implement this too).
/// Thread-safety: <see cref="Random(int)"/>'s instances are thread-safe (each layer draws from its own generator); a
/// builder asks one instance from one thread, so an implementation need not be.</summary>
public abstract class WeightInit
{
    /// <summary>Seeded random weights scaled so activations stay O(1) through deep networks; the same seed
    /// gives the same weights for a layer name regardless of the order layers are asked for.</summary>
    public static WeightInit Random(int seed) => new RandomWeightInit(seed);

    /// <summary>OIHW weights: [outC, inCPerGroup, kernelH, kernelW].</summary>
    public abstract float[] ConvWeights(string layer, int outC, int inCPerGroup, int kernelH, int kernelW);

    /// <summary>Row-major [outFeatures, inFeatures] weights.</summary>
    public abstract float[] DenseWeights(string layer, int outFeatures, int inFeatures);

    /// <summary>A layer's <paramref name="count"/> biases.</summary>
    public abstract float[] Bias(string layer, int count);

    /// <summary>A BatchNorm layer's parameters for <paramref name="channels"/> channels.</summary>
    public abstract BatchNormWeights BatchNorm(string layer, int channels);
}
