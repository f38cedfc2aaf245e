namespace GpuMobileNet.Cli.Bench;

/// <summary>One <see cref="BenchVariant"/>'s latency, its speedup over the first variant (median over median),
/// and how far its output is from the CPU reference executor's on the same input.</summary>
internal sealed record VariantResult(string Name, BatchLatency Latency, double SpeedupVsFirst, double MaxAbsDiffVsReference);
