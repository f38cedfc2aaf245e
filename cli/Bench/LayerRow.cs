namespace GpuMobileNet.Cli.Bench;

/// <summary>One graph op (after the passes) as the GPU ran it: every dispatch whose source is that op, summed.
/// MultiplyAdds and BytesMoved are for the whole batch; see <see cref="LayerProfiler"/> for their definitions.</summary>
internal sealed record LayerRow(
    string Layer, string Op, string Kernels, int Dispatches, double Milliseconds,
    double MultiplyAdds, double BytesMoved, double Gflops, double PercentOfPeak);
