using GpuMobileNet.Detection.Host;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>An ncnn blob during import: a run-time value with ncnn's rank (1: w, 2: h x w, 3: c x h x w, held as
/// C x H x W with ncnn's outermost axis as C: w x 1 x 1, h x w x 1, c x h x w), or a constant (MemoryData).</summary>
internal sealed record NcnnTensor(Value? Value, int Dims, float[]? Constant = null)
{
    /// <summary>ncnn's axes outermost first (c, h, w / h, w / w).</summary>
    public int[] Axes => Dims switch
    {
        1 => [Value!.Shape.C],
        2 => [Value!.Shape.C, Value.Shape.H],
        _ => [Value!.Shape.C, Value.Shape.H, Value.Shape.W],
    };
}

/// <summary>Maps each ncnn layer onto <see cref="GraphBuilder"/> ops, tracking every blob by name.</summary>
/// <remarks>Each layer's last op is named after its (first) top blob, so outputs keep ncnn's blob names; helper ops
/// are named "{top}/{what}".</remarks>
internal sealed partial class NcnnLayerMapper(GraphBuilder builder, NcnnNet net, string file)
{
    private readonly Dictionary<string, NcnnTensor> _blobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hostBlobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = net.Layers.SelectMany(l => l.Tops).ToHashSet(StringComparer.Ordinal);
    private NcnnLayer _layer = null!;

    /// <summary>Adds the ops of <paramref name="layer"/>, whose weight blobs are <paramref name="weights"/>.</summary>
    public void Map(NcnnLayer layer, NcnnWeightFile.Blob[] weights)
    {
        _layer = layer;
        foreach (var b in layer.Bottoms)
        {
            if (_hostBlobs.Contains(b)) throw Fail($"reads '{b}', which a host (post-processing) layer computes after the network");
            _read.Add(b);
        }
        switch (layer.Type)
        {
            case "Input": Set(0, new NcnnTensor(builder.Input, 3)); break;
            case "Convolution" or "ConvolutionDepthWise": Convolution(layer.Params, weights); break;
            case "Deconvolution" or "DeconvolutionDepthWise": Deconvolution(layer.Params, weights); break;
            case "InnerProduct": InnerProduct(layer.Params, weights); break;
            case "Pooling": Pooling(layer.Params); break;
            case "BatchNorm": BatchNorm(layer.Params, weights); break;
            case "MemoryData": MemoryData(layer.Params, weights[0].Values); break;
            case "Split": for (int i = 0; i < layer.Tops.Count; i++) Set(i, In(0)); break;
            case "Noop" or "Dropout": for (int i = 0; i < layer.Tops.Count; i++) Set(i, In(i)); break;
            default:
                if (!MapElementwise(layer) && !MapShape(layer))
                    throw Fail($"layer type '{layer.Type}' is not supported");
                break;
        }
    }

    /// <summary>True when <paramref name="layer"/> can run on the host and reads only blobs host layers compute.</summary>
    public bool FollowsHostLayers(NcnnLayer layer) =>
        HostLayers.FollowerTypes.Contains(layer.Type) && layer.Bottoms.Count > 0 && layer.Bottoms.All(_hostBlobs.Contains);

    /// <summary>Records a host layer: its tops are computed after the network.</summary>
    public NcnnHostStep Host(NcnnLayer layer)
    {
        _layer = layer;
        foreach (var b in layer.Bottoms)
            if (!_hostBlobs.Contains(b)) { _ = RuntimeIn(b); _read.Add(b); }
        foreach (var t in layer.Tops) _hostBlobs.Add(t);
        HostLayer host;
        try { host = HostLayers.Create(layer.Type, layer.Params); }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            throw Fail($"cannot run on the host: {e.Message}");
        }
        return new NcnnHostStep(host, layer.Bottoms, layer.Tops);
    }

    /// <summary>The blobs host layers read that are the network's input itself (PriorBox reads the image for its size).</summary>
    public IReadOnlySet<string> InputBlobs(IReadOnlyList<NcnnHostStep> hostSteps) =>
        hostSteps.SelectMany(s => s.Bottoms).Where(b => !_hostBlobs.Contains(b) && _blobs[b].Value == builder.Input).ToHashSet(StringComparer.Ordinal);

    /// <summary>The graph's outputs: blobs nothing reads, then the network blobs the host layers read, in order.</summary>
    public IReadOnlyList<Value> Outputs(IReadOnlyList<NcnnHostStep> hostSteps)
    {
        var names = net.Layers.SelectMany(l => l.Tops).Where(t => !_read.Contains(t) && !_hostBlobs.Contains(t))
            .Concat(hostSteps.SelectMany(s => s.Bottoms).Where(b => !_hostBlobs.Contains(b)));
        var outputs = new List<Value>();
        foreach (var name in names)
        {
            if (_blobs[name].Value is not { } v || v == builder.Input || outputs.Any(o => o.Name == name)) continue;
            // A blob that aliases another (Split, Noop) is still an output under its own name: a free reshape names it.
            outputs.Add(v.Name == name ? v : builder.Reshape(name, v, v.Shape));
        }
        return outputs.Count > 0 ? outputs : throw new ModelLoadException($"{file}: the network computes no output");
    }

    private NcnnTensor In(int i) => i < _layer.Bottoms.Count ? _blobs[_layer.Bottoms[i]] : throw Fail($"has {_layer.Bottoms.Count} inputs; it needs at least {i + 1}");

    private Value RuntimeIn(int i) => In(i).Value ?? throw Fail($"reads the constant '{_layer.Bottoms[i]}' where a run-time tensor is needed");

    private Value RuntimeIn(string blob) =>
        _blobs[blob].Value ?? throw Fail($"reads the constant '{blob}' where a run-time tensor is needed");

    private void Set(int top, NcnnTensor t) =>
        _blobs[top < _layer.Tops.Count ? _layer.Tops[top] : throw Fail($"has {_layer.Tops.Count} outputs; it needs at least {top + 1}")] = t;

    private void Set(Value v, int dims) => Set(0, new NcnnTensor(v, dims));

    /// <summary>The name of the layer's op writing top <paramref name="top"/>, or a unique name for a helper op.</summary>
    private string Name(string? part = null, int top = 0)
    {
        if (part is null) return _layer.Tops[top];
        string name = $"{_layer.Tops[top]}/{part}";
        for (int k = 2; !_names.Add(name); k++) name = $"{_layer.Tops[top]}/{part}{k}";
        return name;
    }

    private void Need(int bottoms, int tops = 1)
    {
        if (_layer.Bottoms.Count != bottoms || _layer.Tops.Count != tops)
            throw Fail($"has {_layer.Bottoms.Count} inputs and {_layer.Tops.Count} outputs; expected {bottoms} and {tops}");
    }

    private ModelLoadException Fail(string message) => new($"{file}: {_layer}: {message}");

    private void MemoryData(NcnnParams p, float[] data)
    {
        Need(0);
        if (p.Int(1, 0) != 0 || p.Int(2, 0) != 0 || p.Int(11, 0) != 0)
            throw Fail("only a 1-D MemoryData (one value per channel) is supported");
        _blobs[_layer.Tops[0]] = new NcnnTensor(null, 1, data);
    }

    private void BatchNorm(NcnnParams p, NcnnWeightFile.Blob[] w)
    {
        Need(1);
        var x = In(0);
        var y = builder.BatchNorm(Name(), RuntimeIn(0), w[0].Values, w[3].Values, w[1].Values, w[2].Values, p.Float(1, 0f));
        Set(y, x.Dims);
    }
}
