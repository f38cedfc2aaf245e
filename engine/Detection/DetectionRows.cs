using System.Globalization;

namespace GpuMobileNet.Detection;

/// <summary>Detections from a DetectionOutput-style result, as ncnn's detection layers write it: one row of six values
/// per object, (label, score, xmin, ymin, xmax, ymax), boxes in normalised image coordinates.</summary>
internal static class DetectionRows
{
    /// <summary>Values per row.</summary>
    public const int RowWidth = 6;

    /// <summary>One <see cref="Detection"/> per row, in row order.</summary>
    /// <param name="rows">n x 6 values.</param>
    /// <param name="labels">Class names by label id (ncnn's detectors count the background as label 0); missing names
    /// print as the id.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of six.</exception>
    public static IReadOnlyList<Detection> ToDetections(ReadOnlySpan<float> rows, IReadOnlyList<string>? labels = null)
    {
        if (rows.Length % RowWidth != 0)
            throw new ArgumentException($"detection rows have {rows.Length} values, not a multiple of {RowWidth} (label, score, xmin, ymin, xmax, ymax)", nameof(rows));
        var detections = new List<Detection>(rows.Length / RowWidth);
        for (int at = 0; at < rows.Length; at += RowWidth)
        {
            int id = (int)rows[at];
            string label = labels is not null && id >= 0 && id < labels.Count ? labels[id] : id.ToString(CultureInfo.InvariantCulture);
            detections.Add(new Detection(id, label, rows[at + 1], new Box(rows[at + 2], rows[at + 3], rows[at + 4], rows[at + 5])));
        }
        return detections;
    }
}
