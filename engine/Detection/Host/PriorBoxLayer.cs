using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Detection.Host;

/// <summary>ncnn's (Caffe SSD's) PriorBox: the anchor boxes of one feature map. Each cell of the first input's H x W grid
/// gets, per min size, a square box of that size, a square of sqrt(min x max) when max sizes are given, then a box per
/// aspect ratio r (min·√r wide, min/√r high) followed by its flip 1/r. Centres are (cell + offset) x step pixels; boxes are
/// divided by the image size (the second input's W and H unless the params give it). Output: C = 1, H = 2, W = 4 x priors:
/// row 0 the boxes (xmin, ymin, xmax, ymax, normalised), row 1 each box's four variances.</summary>
internal sealed class PriorBoxLayer : HostLayer
{
    /// <summary>ncnn's "take it from the inputs" marker for the image size and step.</summary>
    private const float FromInput = -233f;

    private readonly float[] _minSizes, _maxSizes, _aspectRatios, _variances;
    private readonly bool _flip, _clip;
    private readonly float _imageWidth, _imageHeight, _stepWidth, _stepHeight, _offset;

    public PriorBoxLayer(NcnnParams p)
    {
        _minSizes = p.Floats(0);
        _maxSizes = p.Floats(1);
        _aspectRatios = p.Floats(2);
        _variances = [p.Float(3, 0.1f), p.Float(4, 0.1f), p.Float(5, 0.2f), p.Float(6, 0.2f)];
        _flip = p.Int(7, 1) != 0;
        _clip = p.Int(8, 0) != 0;
        _imageWidth = p.Float(9, FromInput);
        _imageHeight = p.Float(10, FromInput);
        _stepWidth = p.Float(11, FromInput);
        _stepHeight = p.Float(12, FromInput);
        _offset = p.Float(13, 0f);
        if (_minSizes.Length == 0 || _minSizes.Any(s => !(s > 0)))
            throw new ModelLoadException("PriorBox: min_sizes (param 0) must list at least one positive size");
        if (_maxSizes.Length != 0 && (_maxSizes.Length != _minSizes.Length || _maxSizes.Any(s => !(s > 0))))
            throw new ModelLoadException($"PriorBox: max_sizes (param 1) must be empty or {_minSizes.Length} positive sizes, one per min size");
        if (_aspectRatios.Any(r => !(r > 0)))
            throw new ModelLoadException("PriorBox: aspect_ratios (param 2) must be positive");
        if (p.Int(14, 0) != 0 || p.Int(15, 0) != 0)
            throw new ModelLoadException("PriorBox: mmdetection steps and centres (params 14, 15) are not supported");
    }

    public override string Type => "PriorBox";

    /// <summary>Boxes per feature-map cell.</summary>
    public int PriorsPerCell => _minSizes.Length * (1 + (_maxSizes.Length > 0 ? 1 : 0) + _aspectRatios.Length * (_flip ? 2 : 1));

    public override HostTensor Run(IReadOnlyList<HostTensor> inputs)
    {
        HostBoxes.RequireInputs(Type, inputs, 1, orMore: true);
        var feature = inputs[0];
        float imageW = Resolve(_imageWidth, inputs, i => i.W, "image_width (param 9)");
        float imageH = Resolve(_imageHeight, inputs, i => i.H, "image_height (param 10)");
        float stepW = _stepWidth == FromInput ? imageW / feature.W : _stepWidth;
        float stepH = _stepHeight == FromInput ? imageH / feature.H : _stepHeight;
        var shapes = BoxShapes();
        int priors = feature.H * feature.W * shapes.Count;
        var data = new float[priors * 8];
        int at = 0;
        for (int y = 0; y < feature.H; y++)
            for (int x = 0; x < feature.W; x++)
            {
                float cx = (x + _offset) * stepW, cy = (y + _offset) * stepH;
                foreach (var (w, h) in shapes)
                {
                    data[at++] = Normalised((cx - w * 0.5f) / imageW);
                    data[at++] = Normalised((cy - h * 0.5f) / imageH);
                    data[at++] = Normalised((cx + w * 0.5f) / imageW);
                    data[at++] = Normalised((cy + h * 0.5f) / imageH);
                }
            }
        for (int i = 0; i < priors; i++) _variances.CopyTo(data, priors * 4 + i * 4);
        return new HostTensor(1, 2, priors * 4, data, Dims: 2);
    }

    /// <summary>Width and height in pixels of each box of a cell, in output order.</summary>
    private List<(float W, float H)> BoxShapes()
    {
        var shapes = new List<(float, float)>();
        for (int k = 0; k < _minSizes.Length; k++)
        {
            float min = _minSizes[k];
            shapes.Add((min, min));
            if (_maxSizes.Length > 0)
            {
                float side = MathF.Sqrt(min * _maxSizes[k]);
                shapes.Add((side, side));
            }
            foreach (float r in _aspectRatios)
            {
                float root = MathF.Sqrt(r);
                shapes.Add((min * root, min / root));
                if (_flip) shapes.Add((min / root, min * root));
            }
        }
        return shapes;
    }

    private float Normalised(float v) => _clip ? Math.Clamp(v, 0f, 1f) : v;

    private float Resolve(float param, IReadOnlyList<HostTensor> inputs, Func<HostTensor, int> side, string name)
    {
        if (param != FromInput) return param > 0 ? param : throw new ModelLoadException($"PriorBox: {name} must be positive, got {param}");
        return inputs.Count >= 2 ? side(inputs[1])
            : throw new ModelLoadException($"PriorBox: {name} is not given and there is no second (image) input to take it from");
    }
}
