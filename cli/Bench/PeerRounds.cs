using GpuMobileNet.Runtime;

namespace GpuMobileNet.Cli.Bench;

/// <summary>One round of the side-by-side benchmark: our average (null where ours did not run) and benchncnn's
/// averages, in milliseconds.</summary>
internal sealed record PeerRound(double? OursMs, double NcnnVulkanMs, double NcnnCpuMs);

/// <summary>The rounds and their medians; a ratio below 1 means ours is faster (null where ours did not run or ncnn's
/// time is 0, too small for benchncnn's two decimals).</summary>
internal sealed record PeerComparison(IReadOnlyList<PeerRound> Rounds, double? OursMs, double NcnnVulkanMs, double NcnnCpuMs, string? NcnnVulkanDevice)
{
    public double? OursOverVulkan => NcnnVulkanMs > 0 ? OursMs / NcnnVulkanMs : null;
    public double? OursOverCpu => NcnnCpuMs > 0 ? OursMs / NcnnCpuMs : null;
}

/// <summary>Interleaves the engines round by round (ours, then ncnn on Vulkan, then ncnn on its CPU path), so that a
/// shared machine's load drifts over all three alike, and takes each one's median over the rounds.</summary>
internal static class PeerRounds
{
    /// <summary>The untimed loops benchncnn runs before its timed ones on a Vulkan device (8 on its CPU path).</summary>
    public const int BenchncnnVulkanWarmup = 10;

    /// <summary>Our side of a round, measured as benchncnn measures itself in each of its rounds (a fresh process that
    /// loads the model, runs <see cref="BenchncnnVulkanWarmup"/> untimed loops and averages the timed ones): a full .NET
    /// collection first, so that no garbage of an earlier model or of the import is collected while timing, then
    /// <paramref name="warmup"/> untimed runs every round (the peer's processes ran since our last one, so lavapipe's
    /// threads and the caches start cold), then the average ms of <paramref name="runs"/> timed runs.</summary>
    public static Func<double> Ours(Action run, int warmup, int runs) => () =>
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Timing.Runs(run, warmup, runs).Average();
    };

    /// <summary><see cref="Ours(Action, int, int)"/> of batch-1 runs of <paramref name="session"/> on <paramref name="input"/>.</summary>
    public static Func<double> Ours(InferenceSession session, float[] input, int warmup, int runs)
    {
        var output = new float[session.OutputLength];
        return Ours(() => session.Run(input, output), warmup, runs);
    }

    /// <param name="ours">Our average ms of one round's runs (<see cref="Ours"/>); null: ncnn only (a model ours cannot load).</param>
    /// <param name="ncnnVulkan">benchncnn on the Vulkan device.</param>
    /// <param name="ncnnCpu">benchncnn on ncnn's CPU path.</param>
    /// <param name="onRound">Called after each round (progress).</param>
    public static PeerComparison Run(int rounds, Func<double>? ours, Func<NcnnTiming> ncnnVulkan, Func<NcnnTiming> ncnnCpu, Action<int, PeerRound>? onRound = null)
    {
        var list = new List<PeerRound>();
        string? device = null;
        for (int i = 0; i < rounds; i++)
        {
            double? oursMs = ours?.Invoke();
            var vulkan = ncnnVulkan();
            var cpu = ncnnCpu();
            device ??= vulkan.Device;
            list.Add(new PeerRound(oursMs, vulkan.AvgMs, cpu.AvgMs));
            onRound?.Invoke(i, list[^1]);
        }
        return new PeerComparison(list, ours is null ? null : Median(list.Select(r => r.OursMs!.Value)),
            Median(list.Select(r => r.NcnnVulkanMs)), Median(list.Select(r => r.NcnnCpuMs)), device);
    }

    private static double Median(IEnumerable<double> values) => LatencyStats.From(values.ToList()).Median;
}
