using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's YoloDetectionOutput (YOLOv2, e.g. MobileNet-YOLO): every input is a map (see <see cref="YoloGrid"/>)
/// with num_box anchors whose sizes, the biases, are in cells of that map; score = sigmoid(objectness) x the softmax of
/// the class logits at the best class. Then one greedy NMS over every input and class. Output rows (label, score, xmin,
/// ymin, xmax, ymax).</summary>
internal sealed class YoloDetectionOutputLayer : HostLayer
{
    private readonly int _classes, _boxes;
    private readonly float _confidenceThreshold, _nmsThreshold;
    private readonly float[] _biases;

    public YoloDetectionOutputLayer(NcnnParams p)
    {
        _classes = p.Int(0, 20);
        _boxes = p.Int(1, 5);
        _confidenceThreshold = p.Float(2, 0.01f);
        _nmsThreshold = p.Float(3, 0.45f);
        _biases = p.Floats(4);
        if (_classes < 1 || _boxes < 1) throw new ModelLoadException($"YoloDetectionOutput: num_class and num_box (params 0, 1) must be positive, got {_classes}, {_boxes}");
        if (_biases.Length < 2 * _boxes)
            throw new ModelLoadException($"YoloDetectionOutput: {_boxes} boxes need {2 * _boxes} biases (param 4), got {_biases.Length}");
    }

    public override string Type => "YoloDetectionOutput";

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs)
    {
        HostBoxes.RequireInputs(Type, inputs, 1, orMore: true);
        var found = new List<ScoredBox>();
        foreach (var map in inputs)
        {
            var sizes = Enumerable.Range(0, _boxes).Select(k => (_biases[2 * k] / map.W, _biases[2 * k + 1] / map.H)).ToList();
            YoloGrid.Decode(Type, map, _classes, sizes, Score, _confidenceThreshold, found);
        }
        return HostBoxes.ToRows(HostBoxes.Suppress(HostBoxes.ByScore(found), _nmsThreshold, perLabel: false));
    }

    /// <summary>The best class, and sigmoid(objectness) x its softmax probability (from the largest logit, so large
    /// logits cannot overflow).</summary>
    private static (int, float) Score(float objectness, float[] logits)
    {
        var (best, max) = YoloGrid.ArgMax(logits);
        float sum = 0;
        foreach (float l in logits) sum += MathF.Exp(l - max);
        return (best, HostBoxes.Sigmoid(objectness) / sum);
    }
}
