using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's Yolov3DetectionOutput (YOLOv3, YOLOv4-tiny, Yolo-Fastest): one map per input (see
/// <see cref="YoloGrid"/>), num_box anchors each; input i uses the anchors mask[i x num_box ..] of the biases (pixel
/// widths and heights), divided by the network size anchors_scale[i] x the map's size; the score of objectness logit o
/// and best class logit c is ncnn's 1 / (1 + e^-o (1 + e^-c)), which is not sigmoid(o) x sigmoid(c) (it lacks the
/// e^-c term and so scores higher): measured against ncnn and kept, so thresholds mean what they mean in ncnn. Then one
/// greedy NMS over every class. Output rows (label, score, xmin, ymin, xmax, ymax).</summary>
internal sealed class Yolov3DetectionOutputLayer : HostLayer
{
    private readonly YoloHead _head;
    private readonly float[] _mask, _anchorsScale;

    public Yolov3DetectionOutputLayer(NcnnParams p)
    {
        _head = YoloHead.Read(Type, p);
        _mask = FloatArray(p, 5);
        _anchorsScale = p.Floats(6);
        if (_mask.Any(m => m < 0 || 2 * (int)m + 1 >= _head.Biases.Length || m != MathF.Floor(m)))
            throw new ModelLoadException($"{Type}: mask (param 5) [{string.Join(", ", _mask)}] names anchors beyond the {_head.Biases.Length / 2} of biases (param 4)");
    }

    public override string Type => "Yolov3DetectionOutput";

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs)
    {
        HostBoxes.RequireInputs(Type, inputs, 1, orMore: true);
        if (_mask.Length != inputs.Count * _head.Boxes || _anchorsScale.Length < inputs.Count)
            throw new ModelLoadException($"{Type}: {inputs.Count} inputs need {inputs.Count * _head.Boxes} mask entries (param 5) and " +
                $"{inputs.Count} anchors_scale values (param 6), got {_mask.Length} and {_anchorsScale.Length}");
        return YoloGrid.Detect(Type, _head, inputs, AnchorSizes, Score);
    }

    /// <summary>Input i's anchors: mask[i x num_box ..] of the biases, over the network size.</summary>
    private List<(float W, float H)> AnchorSizes(int i, HostTensor map)
    {
        // ncnn truncates the network size to whole pixels (33.6 x 6 cells: 201); measured, it changes box sizes.
        int netW = (int)(_anchorsScale[i] * map.W), netH = (int)(_anchorsScale[i] * map.H);
        return Enumerable.Range(0, _head.Boxes).Select(k => (int)_mask[i * _head.Boxes + k])
            .Select(a => (_head.Biases[2 * a] / netW, _head.Biases[2 * a + 1] / netH)).ToList();
    }

    private static (int, float) Score(float objectness, float[] logits)
    {
        var (best, logit) = YoloGrid.ArgMax(logits);
        return (best, 1f / (1f + MathF.Exp(-objectness) * (1f + MathF.Exp(-logit))));
    }

    /// <summary>ncnn's converters write this array as the int bit patterns of its floats (3.0 as 1077936128); an array
    /// written as floats is taken as it is.</summary>
    private static float[] FloatArray(NcnnParams p, int id) =>
        p.IsFloat(id) ? p.Floats(id) : p.Ints(id).Select(BitConverter.Int32BitsToSingle).ToArray();
}
