using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>The parameters both YOLO layers share (ids 0 to 4, with ncnn's defaults).</summary>
internal sealed record YoloHead(int Classes, int Boxes, float ConfidenceThreshold, float NmsThreshold, float[] Biases)
{
    public static YoloHead Read(string type, NcnnParams p)
    {
        var head = new YoloHead(p.Int(0, 20), p.Int(1, 5), p.Float(2, 0.01f), p.Float(3, 0.45f), p.Floats(4));
        if (head.Classes < 1 || head.Boxes < 1)
            throw new ModelLoadException($"{type}: num_class and num_box (params 0, 1) must be positive, got {head.Classes}, {head.Boxes}");
        return head;
    }
}

/// <summary>The part YOLOv2 and YOLOv3 heads share: a C x H x W map holding, per anchor, x, y, w, h, objectness and the
/// class logits as planes. A cell's box is centred at (column + sigmoid(x)) / W, (row + sigmoid(y)) / H and sized
/// exp(w) x the anchor's normalised width (likewise for h); its score comes from the objectness and class logits (each
/// head has its own formula); boxes scoring at least the threshold are kept, labelled class + 1 (0 is the background,
/// as in ncnn).</summary>
internal static class YoloGrid
{
    /// <summary>Decodes every input map, then one greedy NMS over all of them and every class; ncnn's result rows.</summary>
    /// <param name="anchorSizes">Input i's map's anchors: each one's width and height as fractions of the image.</param>
    /// <param name="score">The best class and the box's score from the objectness logit and the class logits.</param>
    public static HostTensor Detect(string type, YoloHead head, IReadOnlyList<HostTensor> inputs,
        Func<int, HostTensor, IReadOnlyList<(float W, float H)>> anchorSizes, Func<float, float[], (int Class, float Score)> score)
    {
        HostBoxes.RequireInputs(type, inputs, 1, orMore: true);
        var found = new List<ScoredBox>();
        for (int i = 0; i < inputs.Count; i++)
            Decode(type, inputs[i], head.Classes, anchorSizes(i, inputs[i]), score, head.ConfidenceThreshold, found);
        return HostBoxes.ToRows(HostBoxes.Suppress(HostBoxes.ByScore(found), head.NmsThreshold, perLabel: false));
    }

    private static void Decode(string type, HostTensor map, int classes, IReadOnlyList<(float W, float H)> anchorSizes,
        Func<float, float[], (int Class, float Score)> score, float threshold, List<ScoredBox> into)
    {
        int perAnchor = 5 + classes, plane = map.H * map.W;
        if (map.C != anchorSizes.Count * perAnchor)
            throw new ModelLoadException($"{type}: an input has {map.C} channels; {anchorSizes.Count} boxes x (5 + {classes} classes) need {anchorSizes.Count * perAnchor}");
        var logits = new float[classes];
        for (int a = 0; a < anchorSizes.Count; a++)
        {
            int first = a * perAnchor * plane;
            for (int y = 0; y < map.H; y++)
                for (int x = 0; x < map.W; x++)
                {
                    int at = first + y * map.W + x;
                    for (int c = 0; c < classes; c++) logits[c] = map.Data[at + (5 + c) * plane];
                    var (best, confidence) = score(map.Data[at + 4 * plane], logits);
                    if (!(confidence >= threshold)) continue;
                    float cx = (x + HostBoxes.Sigmoid(map.Data[at])) / map.W;
                    float cy = (y + HostBoxes.Sigmoid(map.Data[at + plane])) / map.H;
                    float w = MathF.Exp(map.Data[at + 2 * plane]) * anchorSizes[a].W;
                    float h = MathF.Exp(map.Data[at + 3 * plane]) * anchorSizes[a].H;
                    into.Add(new ScoredBox(best + 1, confidence, new Box(cx - w * 0.5f, cy - h * 0.5f, cx + w * 0.5f, cy + h * 0.5f)));
                }
        }
    }

    /// <summary>The index and value of the largest item.</summary>
    public static (int Index, float Value) ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return (best, values[best]);
    }
}
