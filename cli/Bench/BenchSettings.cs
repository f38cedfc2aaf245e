namespace GpuMobileNet.Cli.Bench;

/// <summary>What one `gmn bench` run measures, from its command line.</summary>
internal sealed record BenchSettings(
    ModelSource Source, string? Device, int Batch, int Runs, int Warmup, IReadOnlyList<int> Batches, int Threads,
    bool Layers, int Top, bool Variants, bool Ort, int Seed)
{
    /// <summary>The variant rows this run measures (every row unless --variant chose some: <see cref="Bench.Variants.Matching"/>).</summary>
    public IReadOnlyList<BenchVariant> ChosenVariants { get; init; } = Bench.Variants.All;

    /// <summary>Channel packing of the profiled and latency sessions (null: the session's default).</summary>
    public bool? PackChannels { get; init; }

    /// <summary>Session options of the per-layer profile and the latency runs at <paramref name="batch"/>.</summary>
    public Runtime.SessionOptions SessionAt(int batch) =>
        new() { Batch = batch, Passes = new Passes.PassOptions { PackChannels = PackChannels } };

    /// <summary>Timed runs at <paramref name="batch"/>: fewer for big batches (each run does more work, so its
    /// time is steadier and costs more), never more than asked nor fewer than min(3, asked).</summary>
    public int RunsAt(int batch) => Math.Max(Math.Min(Runs, 3), (int)Math.Ceiling(Runs / Math.Sqrt(batch)));

    /// <summary>Untimed runs at <paramref name="batch"/>: sessions already run once at creation, so one more
    /// is plenty once a run is long.</summary>
    public int WarmupAt(int batch) => batch == 1 ? Warmup : Math.Min(Warmup, 1);
}
