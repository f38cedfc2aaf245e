using System.Diagnostics;

namespace GpuMobileNet.Detection;

/// <summary>Turns an SSD's raw outputs (box_encodings [anchors, 4], class_predictions [anchors, classes]) into
/// detections: decode each anchor's box, take its best non-ignored class score, drop those under the threshold, then
/// greedy non-maximum suppression. Independent of where the raw outputs came from (an imported .tflite or a built-in
/// graph with the same two outputs). Runs on the host: see docs/measurements.md (detection) for the measurement.</summary>
internal sealed class SsdPostprocessor
{
    private readonly Anchor[] _anchors;
    private readonly bool[] _ignored;
    private readonly IReadOnlyList<string> _labels;

    /// <param name="anchors">The model's anchors, in output order.</param>
    /// <param name="options">Decoding and NMS options.</param>
    /// <param name="labels">Class names by id (may be shorter than the class count: missing names print as the id).</param>
    public SsdPostprocessor(Anchor[] anchors, SsdDecoderOptions options, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(options);
        if (options.NumClasses <= 0 || options.XScale == 0 || options.YScale == 0 || options.WScale == 0 || options.HScale == 0)
            throw new ArgumentException("decoder options need a positive class count and non-zero scales", nameof(options));
        _anchors = anchors;
        Options = options;
        _ignored = new bool[options.NumClasses];
        foreach (int c in options.IgnoreClasses)
            if (c >= 0 && c < options.NumClasses) _ignored[c] = true;
        _labels = labels ?? [];
    }

    /// <summary>The decoding and NMS options.</summary>
    public SsdDecoderOptions Options { get; }

    /// <summary>Number of anchors (and so of boxes the model must output).</summary>
    public int AnchorCount => _anchors.Length;

    /// <summary>Detections above <paramref name="minScore"/> (default: the options' threshold), best first.</summary>
    /// <exception cref="ArgumentException">The outputs' lengths do not match the anchors and classes.</exception>
    public IReadOnlyList<Detection> Process(ReadOnlySpan<float> boxEncodings, ReadOnlySpan<float> classPredictions, float? minScore = null) =>
        ProcessTimed(boxEncodings, classPredictions, minScore).Detections;

    /// <summary><see cref="Process"/> with the host time of its decode (boxes and scores) and NMS stages.</summary>
    internal (IReadOnlyList<Detection> Detections, TimeSpan Decode, TimeSpan Nms) ProcessTimed(ReadOnlySpan<float> boxEncodings,
        ReadOnlySpan<float> classPredictions, float? minScore)
    {
        int n = _anchors.Length, classes = Options.NumClasses;
        if (boxEncodings.Length != n * 4)
            throw new ArgumentException($"box encodings have {boxEncodings.Length} values; {n} anchors need {n * 4}", nameof(boxEncodings));
        if (classPredictions.Length != n * classes)
            throw new ArgumentException($"class predictions have {classPredictions.Length} values; {n} anchors x {classes} classes need {n * classes}", nameof(classPredictions));
        float threshold = minScore ?? Options.MinScore;
        long start = Stopwatch.GetTimestamp();
        var candidates = new List<Detection>();
        for (int i = 0; i < n; i++)
        {
            // Best class first (a monotonic sigmoid keeps the order), then one sigmoid.
            int best = -1;
            float bestLogit = float.NegativeInfinity;
            var row = classPredictions.Slice(i * classes, classes);
            for (int c = 0; c < classes; c++)
                if (!_ignored[c] && row[c] > bestLogit) { bestLogit = row[c]; best = c; }
            if (best < 0) continue;
            float score = Options.SigmoidScore ? 1f / (1f + MathF.Exp(-bestLogit)) : bestLogit;
            if (!(score >= threshold)) continue;
            candidates.Add(new Detection(best, Label(best), score, Decode(boxEncodings.Slice(i * 4, 4), _anchors[i])));
        }
        long decoded = Stopwatch.GetTimestamp();
        var kept = Nms(candidates);
        return (kept, Stopwatch.GetElapsedTime(start, decoded), Stopwatch.GetElapsedTime(decoded));
    }

    /// <summary>The box an anchor's encoding (y, x, h, w: centre offsets in anchor units, log sizes) describes.</summary>
    public Box Decode(ReadOnlySpan<float> encoding, Anchor anchor)
    {
        float cy = encoding[0] / Options.YScale * anchor.Height + anchor.CenterY;
        float cx = encoding[1] / Options.XScale * anchor.Width + anchor.CenterX;
        float h = MathF.Exp(encoding[2] / Options.HScale) * anchor.Height;
        float w = MathF.Exp(encoding[3] / Options.WScale) * anchor.Width;
        return new Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }

    /// <summary>Greedy NMS: best score first; a box is kept unless it overlaps a kept one (of its class, with
    /// <see cref="SsdDecoderOptions.PerClassNms"/>) by more than the IoU threshold.</summary>
    private List<Detection> Nms(List<Detection> candidates)
    {
        // Stable order for equal scores: the anchor order, so results do not depend on the sort's internals.
        var order = candidates.Select((d, i) => (d, i)).OrderByDescending(p => p.d.Score).ThenBy(p => p.i).Select(p => p.d);
        var kept = new List<Detection>();
        foreach (var d in order)
        {
            if (kept.Count >= Options.MaxDetections) break;
            bool suppressed = false;
            foreach (var k in kept)
                if ((!Options.PerClassNms || k.ClassId == d.ClassId) && k.Box.IoU(d.Box) > Options.IouThreshold)
                {
                    suppressed = true;
                    break;
                }
            if (!suppressed) kept.Add(d);
        }
        return kept;
    }

    private string Label(int id) => id < _labels.Count ? _labels[id] : id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
