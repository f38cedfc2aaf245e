namespace GpuMobileNet.Cli.Bench;

/// <summary>Everything one `gmn bench` measured; what --json writes. Sections that were skipped are null.</summary>
internal sealed record BenchReport(
    string Device, string Model, string Input, long MultiplyAddsPerImage, int Threads, double PeakGflops,
    LayerProfile? Layers, IReadOnlyList<BatchLatency> Latency, IReadOnlyList<VariantResult>? Variants, IReadOnlyList<OrtBatch>? Ort);
