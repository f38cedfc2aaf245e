using GpuMobileNet.Import;

namespace GpuMobileNet.Detection.Host;

/// <summary>One decoded box before suppression: its ncnn label (class index, 0 being the background), score and box in
/// normalised image coordinates.</summary>
internal readonly record struct ScoredBox(int Label, float Score, Box Box);

/// <summary>What the detection host layers share: the sigmoid, greedy NMS and ncnn's [n, 6] result rows
/// (label, score, xmin, ymin, xmax, ymax).</summary>
internal static class HostBoxes
{
    /// <summary>Values per result row.</summary>
    public const int RowWidth = DetectionRows.RowWidth;

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>Best first; equal scores keep their decoding order, so results do not depend on the sort's internals.</summary>
    public static List<ScoredBox> ByScore(IEnumerable<ScoredBox> boxes) =>
        boxes.Select((b, i) => (b, i)).OrderByDescending(p => p.b.Score).ThenBy(p => p.i).Select(p => p.b).ToList();

    /// <summary>Greedy non-maximum suppression over boxes sorted best first: a box is kept unless its IoU with a kept one
    /// (of the same label, with <paramref name="perLabel"/>) exceeds <paramref name="iouThreshold"/>.</summary>
    public static List<ScoredBox> Suppress(IReadOnlyList<ScoredBox> sorted, float iouThreshold, bool perLabel)
    {
        var kept = new List<ScoredBox>();
        foreach (var box in sorted)
            if (!kept.Any(k => (!perLabel || k.Label == box.Label) && k.Box.IoU(box.Box) > iouThreshold))
                kept.Add(box);
        return kept;
    }

    /// <summary>The result as ncnn lays it out: one row of <see cref="RowWidth"/> values per box (C = 1, H = rows).</summary>
    public static HostTensor ToRows(IReadOnlyList<ScoredBox> boxes)
    {
        var data = new float[boxes.Count * RowWidth];
        for (int i = 0; i < boxes.Count; i++)
        {
            var (label, score, b) = boxes[i];
            float[] row = [label, score, b.XMin, b.YMin, b.XMax, b.YMax];
            row.CopyTo(data, i * RowWidth);
        }
        return new HostTensor(1, boxes.Count, RowWidth, data, Dims: 2);
    }

    /// <summary>Refuses a layer's inputs unless there are <paramref name="count"/> of them (or at least that many).</summary>
    public static void RequireInputs(string type, IReadOnlyList<HostTensor> inputs, int count, bool orMore = false)
    {
        if (inputs.Count == count || (orMore && inputs.Count > count)) return;
        throw new ModelLoadException($"{type}: expected {(orMore ? "at least " : "")}{count} input(s), got {inputs.Count}");
    }
}
