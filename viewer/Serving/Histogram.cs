using System.Globalization;
using System.Text;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>A Prometheus histogram: cumulative counts per upper bound, the sum and the count. Not thread-safe: its
/// owner (<see cref="ModelMetrics"/>) locks.</summary>
internal sealed class Histogram(double[] bounds)
{
    /// <summary>Seconds, 1 ms to 60 s (the engine's runs on a GPU take milliseconds; on lavapipe, tens to hundreds).</summary>
    public static readonly double[] SecondsBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Batch sizes: powers of two up to the largest max batch.</summary>
    public static readonly double[] BatchBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private readonly long[] _counts = new long[bounds.Length];

    public long Count { get; private set; }
    public double Sum { get; private set; }

    public void Observe(double value)
    {
        for (int i = 0; i < bounds.Length; i++)
            if (value <= bounds[i]) _counts[i]++;
        Count++;
        Sum += value;
    }

    /// <summary>Appends the _bucket, _sum and _count lines of <paramref name="name"/> with <paramref name="labels"/>
    /// (already formatted, e.g. model="m",version="1").</summary>
    public void Write(StringBuilder text, string name, string labels)
    {
        for (int i = 0; i < bounds.Length; i++)
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{bounds[i]}\"}} {_counts[i]}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {Count}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {Sum}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {Count}\n");
    }
}
