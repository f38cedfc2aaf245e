using System.Text.Json.Nodes;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Writes small TF.js layers models (model.json + one float32 weights file) for the hardening tests:
/// layers are added in order, each reading the previous one unless told otherwise.</summary>
internal sealed class SyntheticTfjs
{
    private readonly JsonArray _layers = [];
    private readonly JsonArray _specs = [];
    private readonly List<float> _weights = [];
    private readonly List<(string Name, int[] Shape, float[] Values)> _tensors = [];

    public SyntheticTfjs(int h, int w, int c)
    {
        Channels = c;
        _layers.Add(Layer("in", "InputLayer", new JsonObject { ["batch_input_shape"] = new JsonArray(null, h, w, c) }, []));
        Last = "in";
    }

    public int Channels { get; private set; }
    public string Last { get; private set; }

    public SyntheticTfjs Relu(string name) => Add(name, "ReLU", new JsonObject());

    /// <summary>A 1x1 Conv2D without bias whose kernel is <paramref name="diagonal"/> times the identity.</summary>
    public SyntheticTfjs PointwiseIdentity(string name, float diagonal)
    {
        var k = new float[Channels * Channels];
        for (int i = 0; i < Channels; i++) k[i * Channels + i] = diagonal;
        Weight($"{name}/kernel", [1, 1, Channels, Channels], k);
        return Add(name, "Conv2D", new JsonObject
        {
            ["filters"] = Channels, ["kernel_size"] = new JsonArray(1, 1), ["strides"] = new JsonArray(1, 1),
            ["padding"] = "valid", ["use_bias"] = false,
        });
    }

    public SyntheticTfjs Conv(string name, int kernel, int filters, string padding = "valid")
    {
        Weight($"{name}/kernel", [kernel, kernel, Channels, filters], Enumerable.Repeat(0.1f, kernel * kernel * Channels * filters).ToArray());
        Channels = filters;
        return Add(name, "Conv2D", new JsonObject
        {
            ["filters"] = filters, ["kernel_size"] = new JsonArray(kernel, kernel), ["strides"] = new JsonArray(1, 1),
            ["padding"] = padding, ["use_bias"] = false,
        });
    }

    public SyntheticTfjs BatchNorm(string name, float gamma = 1, float beta = 0, float mean = 0, float variance = 1, double epsilon = 1e-3)
    {
        foreach (var (p, v) in new[] { ("gamma", gamma), ("beta", beta), ("moving_mean", mean), ("moving_variance", variance) })
            Weight($"{name}/{p}", [Channels], Enumerable.Repeat(v, Channels).ToArray());
        return Add(name, "BatchNormalization", new JsonObject { ["axis"] = -1, ["epsilon"] = epsilon });
    }

    public SyntheticTfjs Add(string name, string cls, JsonObject config, params string[] inputs)
    {
        _layers.Add(Layer(name, cls, config, inputs.Length > 0 ? inputs : [Last]));
        Last = name;
        return this;
    }

    public void Weight(string name, int[] shape, float[] values)
    {
        _specs.Add(new JsonObject { ["name"] = name, ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()), ["dtype"] = "float32" });
        _weights.AddRange(values);
        _tensors.Add((name, shape, values));
    }

    /// <summary>The same model with every weight uint8-quantised as tensorflowjs_converter does (min and scale per
    /// tensor, value = code * scale + min), as the nsfwjs model is.</summary>
    public (JsonObject Json, byte[] Weights) Quantized()
    {
        var json = Json();
        var specs = json["weightsManifest"]![0]!["weights"]!.AsArray();
        var bytes = new List<byte>();
        for (int i = 0; i < _tensors.Count; i++)
        {
            var v = _tensors[i].Values;
            float min = v.Min(), max = v.Max();
            double scale = max > min ? (max - min) / 255.0 : 1.0;
            specs[i]!["quantization"] = new JsonObject { ["dtype"] = "uint8", ["min"] = min, ["scale"] = scale };
            bytes.AddRange(v.Select(x => (byte)Math.Clamp(Math.Round((x - min) / scale), 0, 255)));
        }
        return (json, [.. bytes]);
    }

    public JsonObject Json() => new()
    {
        ["format"] = "layers-model",
        ["modelTopology"] = new JsonObject
        {
            ["class_name"] = "Model",
            ["config"] = new JsonObject
            {
                ["name"] = "synthetic", ["layers"] = _layers.DeepClone(),
                ["input_layers"] = new JsonArray(new JsonArray("in", 0, 0)),
                ["output_layers"] = new JsonArray(new JsonArray(Last, 0, 0)),
            },
        },
        ["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray("w.bin"), ["weights"] = _specs.DeepClone() }),
    };

    public byte[] WeightBytes() => _weights.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>Writes model.json and w.bin into <paramref name="dir"/>; returns the model.json path.</summary>
    public string WriteTo(TempDir dir, JsonObject? json = null, byte[]? weights = null)
    {
        File.WriteAllText(dir.File("model.json"), (json ?? Json()).ToJsonString());
        File.WriteAllBytes(dir.File("w.bin"), weights ?? WeightBytes());
        return dir.File("model.json");
    }

    private static JsonObject Layer(string name, string cls, JsonObject config, string[] inputs) => new()
    {
        ["name"] = name,
        ["class_name"] = cls,
        ["config"] = config,
        ["inbound_nodes"] = inputs.Length == 0 ? new JsonArray()
            : new JsonArray(new JsonArray(inputs.Select(i => (JsonNode)new JsonArray(i, 0, 0, new JsonObject())).ToArray())),
    };
}
