namespace GpuMobileNet.Teach;

/// <summary>Trains a <see cref="TaughtHead"/> from labelled feature vectors. Softmax regression: standardised features,
/// full-batch gradient descent with momentum and a little L2, a fixed number of steps (deterministic, no seed).
/// The learning rate is per unit of squared feature norm (divided by the feature count).
/// Nearest centroid: the mean of each class's L2-normalised features, renormalised.
/// Thread-safety: thread-safe (no shared state).</summary>
public static class HeadTrainer
{
    /// <summary>Trains a head of <paramref name="kind"/> (<see cref="TaughtHead.SoftmaxKind"/> or <see cref="TaughtHead.CentroidKind"/>) on labelled feature vectors.</summary>
    public static TaughtHead Train(string kind, string model, IReadOnlyList<string> classes, IReadOnlyList<(float[] Features, int Label)> samples,
        int steps = 150, double learningRate = 1.0, double l2 = 1e-3)
    {
        if (classes.Count < 2) throw new ArgumentException($"teaching needs at least two classes, got {classes.Count}");
        if (samples.Count == 0) throw new ArgumentException("teaching needs samples");
        int f = samples[0].Features.Length;
        for (int k = 0; k < classes.Count; k++)
            if (!samples.Any(s => s.Label == k)) throw new ArgumentException($"class '{classes[k]}' has no samples");
        if (samples.Any(s => s.Features.Length != f || s.Label < 0 || s.Label >= classes.Count))
            throw new ArgumentException("samples disagree in feature count or have a label out of range");
        return kind switch
        {
            TaughtHead.CentroidKind => Centroids(model, classes, samples, f),
            TaughtHead.SoftmaxKind => SoftmaxRegression(model, classes, samples, f, steps, learningRate, l2),
            _ => throw new ArgumentException($"head kind '{kind}': expected '{TaughtHead.SoftmaxKind}' or '{TaughtHead.CentroidKind}'"),
        };
    }

    /// <summary>Trains both kinds on four fifths of each class, keeps the one more accurate on the other fifth (the
    /// centroid head on a tie, or when a class has fewer than 5 samples), and retrains it on every sample. The confusion
    /// matrix is the kept kind's on the held-out fifth (null without one). <paramref name="kind"/>, when given, is kept
    /// whatever the accuracies (a TF.js export needs a softmax head).</summary>
    public static TrainingResult TrainBest(string model, IReadOnlyList<string> classes, IReadOnlyList<(float[] Features, int Label)> samples, string? kind = null)
    {
        if (kind is not (null or TaughtHead.SoftmaxKind or TaughtHead.CentroidKind))
            throw new ArgumentException($"head kind '{kind}': expected '{TaughtHead.SoftmaxKind}' or '{TaughtHead.CentroidKind}'");
        var accuracy = new Dictionary<string, double>();
        bool canHoldOut = Enumerable.Range(0, classes.Count).All(k => samples.Count(s => s.Label == k) >= 5);
        kind ??= canHoldOut ? null : TaughtHead.CentroidKind;
        int[][]? confusion = null;
        if (canHoldOut)
        {
            var train = new List<(float[], int)>();
            var test = new List<(float[] Features, int Label)>();
            var seen = new int[classes.Count];
            foreach (var s in samples)
                (seen[s.Label]++ % 5 == 4 ? test : train).Add(s);
            var confusions = new[] { TaughtHead.CentroidKind, TaughtHead.SoftmaxKind }.ToDictionary(k => k, k => Confusion(Train(k, model, classes, train), test));
            foreach (var (k, matrix) in confusions) accuracy[k] = Accuracy(matrix);
            kind ??= accuracy[TaughtHead.SoftmaxKind] > accuracy[TaughtHead.CentroidKind] ? TaughtHead.SoftmaxKind : TaughtHead.CentroidKind;
            confusion = confusions[kind];
        }
        return new TrainingResult(Train(kind!, model, classes, samples), accuracy, confusion);
    }

    /// <summary>Counts of [true class][predicted class] (most probable) over <paramref name="samples"/>, in the head's class order.</summary>
    public static int[][] Confusion(TaughtHead head, IReadOnlyList<(float[] Features, int Label)> samples)
    {
        var counts = head.Classes.Select(_ => new int[head.Classes.Length]).ToArray();
        foreach (var (x, label) in samples)
        {
            var p = head.Predict(x);
            counts[label][Array.IndexOf(p, p.Max())]++;
        }
        return counts;
    }

    /// <summary>Share of <paramref name="samples"/> whose most probable class is their label.</summary>
    public static double Accuracy(TaughtHead head, IReadOnlyList<(float[] Features, int Label)> samples) =>
        samples.Count == 0 ? double.NaN : Accuracy(Confusion(head, samples));

    private static double Accuracy(int[][] confusion) =>
        (double)confusion.Select((row, k) => row[k]).Sum() / confusion.Sum(row => row.Sum());

    private static TaughtHead Centroids(string model, IReadOnlyList<string> classes, IReadOnlyList<(float[] Features, int Label)> samples, int f)
    {
        var sums = new double[classes.Count][];
        for (int k = 0; k < sums.Length; k++) sums[k] = new double[f];
        foreach (var (x, label) in samples)
        {
            double norm = Math.Sqrt(x.Sum(v => (double)v * v)) + 1e-12;
            for (int i = 0; i < f; i++) sums[label][i] += x[i] / norm;
        }
        var centroids = sums.Select(s =>
        {
            double norm = Math.Sqrt(s.Sum(v => v * v)) + 1e-12;
            return s.Select(v => (float)(v / norm)).ToArray();
        }).ToArray();
        // Cosine similarities lie in [-1, 1]; a temperature of 20 turns a 0.1 gap into clear probabilities.
        return new TaughtHead { Kind = TaughtHead.CentroidKind, Model = model, Classes = [.. classes], Features = f, Weights = centroids, Scale = 20 };
    }

    private static TaughtHead SoftmaxRegression(string model, IReadOnlyList<string> classes, IReadOnlyList<(float[] Features, int Label)> samples,
        int f, int steps, double lr, double l2)
    {
        int n = samples.Count, k = classes.Count;
        var mean = new double[f];
        var sq = new double[f];
        foreach (var (x, _) in samples)
            for (int i = 0; i < f; i++) { mean[i] += x[i]; sq[i] += (double)x[i] * x[i]; }
        var invStd = new double[f];
        for (int i = 0; i < f; i++)
        {
            mean[i] /= n;
            double var = Math.Max(sq[i] / n - mean[i] * mean[i], 0);
            invStd[i] = 1 / Math.Sqrt(var + 1e-6);
        }
        var xs = samples.Select(s => Enumerable.Range(0, f).Select(i => (s.Features[i] - mean[i]) * invStd[i]).ToArray()).ToArray();
        var w = new double[k, f];
        var b = new double[k];
        var vw = new double[k, f];
        var vb = new double[k];
        var grad = new double[k, f];
        var gb = new double[k];
        var logits = new double[k];
        const double momentum = 0.9;
        // A standardised sample has |x|^2 close to f, so a step of lr / f moves each logit by about lr x its error.
        lr /= f;
        for (int step = 0; step < steps; step++)
        {
            Array.Clear(grad);
            Array.Clear(gb);
            for (int s = 0; s < n; s++)
            {
                var x = xs[s];
                double max = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    double z = b[c];
                    for (int i = 0; i < f; i++) z += w[c, i] * x[i];
                    logits[c] = z;
                    max = Math.Max(max, z);
                }
                double sum = 0;
                for (int c = 0; c < k; c++) sum += logits[c] = Math.Exp(logits[c] - max);
                for (int c = 0; c < k; c++)
                {
                    double d = logits[c] / sum - (samples[s].Label == c ? 1 : 0);
                    gb[c] += d;
                    for (int i = 0; i < f; i++) grad[c, i] += d * x[i];
                }
            }
            for (int c = 0; c < k; c++)
            {
                vb[c] = momentum * vb[c] - lr * gb[c] / n;
                b[c] += vb[c];
                for (int i = 0; i < f; i++)
                {
                    vw[c, i] = momentum * vw[c, i] - lr * (grad[c, i] / n + l2 * w[c, i]);
                    w[c, i] += vw[c, i];
                }
            }
        }
        return new TaughtHead
        {
            Kind = TaughtHead.SoftmaxKind, Model = model, Classes = [.. classes], Features = f,
            Mean = mean.Select(v => (float)v).ToArray(), InvStd = invStd.Select(v => (float)v).ToArray(),
            Weights = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, f).Select(i => (float)w[c, i]).ToArray()).ToArray(),
            Bias = b.Select(v => (float)v).ToArray(),
        };
    }
}

/// <summary>What <see cref="HeadTrainer.TrainBest"/> gives: the head (trained on every sample), each kind's accuracy on
/// the held-out fifth, and the kept kind's confusion matrix there ([true][predicted], null when nothing was held out).
/// Thread-safety: immutable once made (do not change the arrays).</summary>
public sealed record TrainingResult(TaughtHead Head, IReadOnlyDictionary<string, double> HeldOutAccuracy, int[][]? Confusion);
