namespace GpuMobileNet.Cli.Bench;

/// <summary>Whole-network wall-clock latency of one configuration at one batch size (input copy in, run,
/// output copy out), in milliseconds per run; throughput counts images, not runs. <see cref="MeanImagesPerSecond"/> is
/// images over the runs' summed time: what a closed loop of back-to-back runs delivers (scripts/serve-bench compares a
/// server's mean throughput with it), where the median leaves out the slow runs a loaded machine has.</summary>
/// <param name="SubBatch">Samples per submission: less than the batch where the device's limits split it.</param>
internal sealed record BatchLatency(int Batch, int Runs, double MedianMs, double P95Ms, double MinMs, double ImagesPerSecond, int SubBatch)
{
    public static BatchLatency From(int batch, IReadOnlyList<double> ms, int subBatch = 0)
    {
        var s = LatencyStats.From(ms);
        return new BatchLatency(batch, ms.Count, s.Median, s.P95, s.Min, batch * 1000 / s.Median, subBatch == 0 ? batch : subBatch)
        {
            MeanImagesPerSecond = batch * 1000 / s.Mean,
        };
    }

    public double MeanImagesPerSecond { get; init; }

    /// <summary>The batch as printed: "32", or "32 (2 x 19)" where it ran as sub-batches.</summary>
    public string BatchText => SubBatch >= Batch ? Batch.ToString() : $"{Batch} ({(Batch + SubBatch - 1) / SubBatch} x {SubBatch})";
}
