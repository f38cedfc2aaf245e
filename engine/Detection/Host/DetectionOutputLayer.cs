using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's (Caffe SSD's) DetectionOutput: decodes each prior's location (centre-size coding scaled by the prior's
/// variances), then per class except the background (0): the scores above the confidence threshold, best first, at most
/// nms_top_k of them, greedy NMS; finally the best keep_top_k of all classes. Inputs: locations (4 per prior), class
/// scores (num_class per prior, already normalised) and PriorBox's output (boxes, then variances). Output: one row per
/// detection, (label, score, xmin, ymin, xmax, ymax), C = 1, H = rows, W = 6.</summary>
internal sealed class DetectionOutputLayer : HostLayer
{
    private readonly int _classes, _nmsTopK, _keepTopK;
    private readonly float _nmsThreshold, _confidenceThreshold;

    public DetectionOutputLayer(NcnnParams p)
    {
        _classes = p.Int(0, 0);
        _nmsThreshold = p.Float(1, 0.05f);
        _nmsTopK = p.Int(2, 300);
        _keepTopK = p.Int(3, 100);
        _confidenceThreshold = p.Float(4, 0.5f);
        if (_classes < 2) throw new ModelLoadException($"DetectionOutput: num_class (param 0) must be at least 2 (background and one class), got {_classes}");
        if (_nmsTopK < 1 || _keepTopK < 1) throw new ModelLoadException($"DetectionOutput: nms_top_k and keep_top_k (params 2, 3) must be positive, got {_nmsTopK}, {_keepTopK}");
    }

    public override string Type => "DetectionOutput";

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs)
    {
        HostBoxes.RequireInputs(Type, inputs, 3);
        var (locations, scores, priors) = (inputs[0].Data, inputs[1].Data, inputs[2].Data);
        int count = inputs[0].Elements / 4;
        if (inputs[0].Elements != count * 4 || inputs[1].Elements != count * _classes || inputs[2].Elements != count * 8)
            throw new ModelLoadException($"DetectionOutput: inputs of {inputs[0].Elements}, {inputs[1].Elements} and {inputs[2].Elements} values " +
                $"do not fit {count} priors x (4 locations, {_classes} scores, 4 box and 4 variance values)");
        var boxes = new Box[count];
        for (int i = 0; i < count; i++)
            boxes[i] = Decode(locations.AsSpan(i * 4, 4), priors.AsSpan(i * 4, 4), priors.AsSpan(count * 4 + i * 4, 4));

        var all = new List<ScoredBox>();
        for (int c = 1; c < _classes; c++)
        {
            var candidates = new List<ScoredBox>();
            for (int i = 0; i < count; i++)
                if (scores[i * _classes + c] > _confidenceThreshold)
                    candidates.Add(new ScoredBox(c, scores[i * _classes + c], boxes[i]));
            var best = HostBoxes.ByScore(candidates).Take(_nmsTopK).ToList();
            all.AddRange(HostBoxes.Suppress(best, _nmsThreshold, perLabel: false));
        }
        return HostBoxes.ToRows(HostBoxes.ByScore(all).Take(_keepTopK).ToList());
    }

    /// <summary>The box a location encodes: centre offsets in prior sizes and log size ratios, each scaled by its variance.</summary>
    private static Box Decode(ReadOnlySpan<float> loc, ReadOnlySpan<float> prior, ReadOnlySpan<float> variance)
    {
        float pw = prior[2] - prior[0], ph = prior[3] - prior[1];
        float pcx = (prior[0] + prior[2]) * 0.5f, pcy = (prior[1] + prior[3]) * 0.5f;
        float cx = variance[0] * loc[0] * pw + pcx, cy = variance[1] * loc[1] * ph + pcy;
        float w = MathF.Exp(variance[2] * loc[2]) * pw, h = MathF.Exp(variance[3] * loc[3]) * ph;
        return new Box(cx - w * 0.5f, cy - h * 0.5f, cx + w * 0.5f, cy + h * 0.5f);
    }
}
