namespace GpuMobileNet.Cli.Bench;

/// <summary>Per-layer GPU times of one profiled configuration (the default one), at one batch size.
/// Milliseconds are the median over the profiled runs, per dispatch.</summary>
internal sealed record LayerProfile(
    int Batch, int Runs, double GpuMilliseconds, double MultiplyAdds, double Gflops,
    IReadOnlyList<LayerRow> Layers, IReadOnlyList<KernelTotal> Kernels);
