namespace GpuMobileNet.Runtime;

/// <summary>GPU time of one dispatch, from timestamp queries. Thread-safety: immutable.</summary>
public sealed record LayerTiming(string Layer, string Kernel, double Milliseconds);
