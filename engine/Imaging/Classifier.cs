namespace GpuMobileNet.Imaging;

/// <summary>Turns a model's class scores into named predictions. Thread-safety: thread-safe (pure functions).</summary>
public static class Classifier
{
    /// <summary>The <paramref name="k"/> highest scores with their labels, best first; equal scores keep
    /// the lower class index first so results are deterministic.</summary>
    public static IReadOnlyList<(string Label, float Probability)> TopK(float[] scores, IReadOnlyList<string> labels, int k)
    {
        if (scores.Length != labels.Count)
            throw new ArgumentException($"{scores.Length} scores but {labels.Count} labels");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must not be negative");
        return Enumerable.Range(0, scores.Length)
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(k)
            .Select(i => (labels[i], scores[i]))
            .ToList();
    }
}
