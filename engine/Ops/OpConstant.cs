namespace GpuMobileNet.Ops;

/// <summary>One constant array of an op (its weights, its bias, a BatchNorm statistic), with what it is, as
/// <see cref="OpProvider{TOp}.Constants"/> lists them.</summary>
/// <param name="What">What the array is, as an error names it ("weights", "expand bias").</param>
/// <param name="Values">The array itself (not a copy).</param>
internal readonly record struct OpConstant(string What, float[] Values);
