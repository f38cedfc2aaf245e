namespace GpuMobileNet.Cli.Bench;

/// <summary>Whole-network wall-clock latency of one configuration at one batch size (input copy in, run,
/// output copy out), in milliseconds per run; throughput counts images, not runs.</summary>
internal sealed record BatchLatency(int Batch, int Runs, double MedianMs, double P95Ms, double MinMs, double ImagesPerSecond)
{
    public static BatchLatency From(int batch, IReadOnlyList<double> ms)
    {
        var s = LatencyStats.From(ms);
        return new BatchLatency(batch, ms.Count, s.Median, s.P95, s.Min, batch * 1000 / s.Median);
    }
}
