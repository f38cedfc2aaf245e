namespace GpuMobileNet.Models;

/// <summary>The four per-channel arrays and epsilon of one inference BatchNorm layer.</summary>
public sealed record BatchNormWeights(float[] Gamma, float[] Beta, float[] Mean, float[] Variance, float Epsilon);
