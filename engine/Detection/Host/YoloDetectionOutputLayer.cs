using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's YoloDetectionOutput (YOLOv2, e.g. MobileNet-YOLO): every input is a map (see <see cref="YoloGrid"/>)
/// with num_box anchors whose sizes, the biases, are in cells of that map; score = sigmoid(objectness) x the softmax of
/// the class logits at the best class. Then one greedy NMS over every input and class. Output rows (label, score, xmin,
/// ymin, xmax, ymax).</summary>
internal sealed class YoloDetectionOutputLayer : HostLayer
{
    private readonly YoloHead _head;

    public YoloDetectionOutputLayer(NcnnParams p)
    {
        _head = YoloHead.Read(Type, p);
        if (_head.Biases.Length < 2 * _head.Boxes)
            throw new ModelLoadException($"{Type}: {_head.Boxes} boxes need {2 * _head.Boxes} biases (param 4), got {_head.Biases.Length}");
    }

    public override string Type => "YoloDetectionOutput";

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs) =>
        YoloGrid.Detect(Type, _head, inputs, (_, map) => Enumerable.Range(0, _head.Boxes)
            .Select(k => (_head.Biases[2 * k] / map.W, _head.Biases[2 * k + 1] / map.H)).ToList(), Score);

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
