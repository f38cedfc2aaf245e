namespace GpuMobileNet.Models;

/// <summary>The four per-channel arrays and epsilon of one inference BatchNorm layer, as a <see cref="WeightInit"/>
/// supplies them. Thread-safety: immutable record, but the arrays are the caller's: do not change them while a model is
/// being built from them.</summary>
/// <param name="Gamma">Per-channel scale.</param>
/// <param name="Beta">Per-channel shift.</param>
/// <param name="Mean">Per-channel moving mean.</param>
/// <param name="Variance">Per-channel moving variance.</param>
/// <param name="Epsilon">Added to the variance before its square root.</param>
public sealed record BatchNormWeights(float[] Gamma, float[] Beta, float[] Mean, float[] Variance, float Epsilon);
