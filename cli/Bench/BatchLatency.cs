namespace GpuMobileNet.Cli.Bench;

/// <summary>Whole-network wall-clock latency of one configuration at one batch size (input copy in, run,
/// output copy out), in milliseconds per run; throughput counts images, not runs.</summary>
/// <param name="SubBatch">Samples per submission: less than the batch where the device's limits split it.</param>
internal sealed record BatchLatency(int Batch, int Runs, double MedianMs, double P95Ms, double MinMs, double ImagesPerSecond, int SubBatch)
{
    public static BatchLatency From(int batch, IReadOnlyList<double> ms, int subBatch = 0)
    {
        var s = LatencyStats.From(ms);
        return new BatchLatency(batch, ms.Count, s.Median, s.P95, s.Min, batch * 1000 / s.Median, subBatch == 0 ? batch : subBatch);
    }

    /// <summary>The batch as printed: "32", or "32 (2 x 19)" where it ran as sub-batches.</summary>
    public string BatchText => SubBatch >= Batch ? Batch.ToString() : $"{Batch} ({(Batch + SubBatch - 1) / SubBatch} x {SubBatch})";
}
