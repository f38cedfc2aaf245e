namespace GpuMobileNet.Cli;

/// <summary>Summary of a set of latencies in milliseconds.</summary>
internal sealed record LatencyStats(double Median, double P95, double Min, double Mean)
{
    public static LatencyStats From(IReadOnlyList<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double Quantile(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new LatencyStats(median, Quantile(0.95), sorted[0], sorted.Average());
    }
}
