namespace GpuMobileNet.Cli;

/// <summary>Reproducible inputs for checks and timings: uniform in [-1, 1), the range of normalised pixels.</summary>
internal static class SeededInput
{
    public static float[] Uniform(int seed, int count)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>Largest absolute difference; NaN anywhere counts as infinitely different.</summary>
    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"outputs differ in length: {a.Length} vs {b.Length}");
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            worst = Math.Max(worst, d);
        }
        return worst;
    }
}
