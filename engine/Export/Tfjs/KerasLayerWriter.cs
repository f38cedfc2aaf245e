using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Export.Tfjs;

/// <summary>Turns graph ops into Keras layer configs (channels-last) and collects their weights in Keras layouts, in
/// the order of the manifest. Keeps which layer produces each of our values.</summary>
internal sealed partial class KerasLayerWriter
{
    private readonly Dictionary<Value, string> _layerOf = [];
    // Values Keras holds as [N, C] (after a global pool, Flatten or Dense); the others are [N, H, W, C].
    private readonly HashSet<Value> _vectors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly MemoryStream _weights = new();

    public KerasLayerWriter(ModelGraph graph)
    {
        var s = graph.Input.Shape;
        InputLayer = Unique(graph.Input.Name);
        _layerOf[graph.Input] = InputLayer;
        Layers.Add(Layer(InputLayer, "InputLayer", new JsonObject { ["batch_input_shape"] = new JsonArray(null, s.H, s.W, s.C), ["dtype"] = "float32" }));
    }

    public JsonArray Layers { get; } = [];
    public JsonArray Manifest { get; } = [];
    public string InputLayer { get; }

    public string LayerOf(Value v) => _layerOf[v];

    public byte[] WeightBytes() => _weights.ToArray();

    /// <summary>TF.js accepts layer and weight names of letters, digits and - . _ / starting with a letter or digit.</summary>
    public static string Sanitise(string name)
    {
        var s = InvalidChars().Replace(name, "_");
        return s.Length > 0 && char.IsAsciiLetterOrDigit(s[0]) ? s : "l" + s;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex InvalidChars();

    public void Add(Node node)
    {
        switch (node)
        {
            case Conv2dOp c: Conv(c); break;
            case BatchNormOp b:
                Emit(b.Output, b.Name, "BatchNormalization", [b.Input], new JsonObject { ["axis"] = -1, ["epsilon"] = b.Epsilon, ["center"] = true, ["scale"] = true },
                    ("gamma", b.Gamma, [b.Gamma.Length]), ("beta", b.Beta, [b.Beta.Length]), ("moving_mean", b.Mean, [b.Mean.Length]), ("moving_variance", b.Variance, [b.Variance.Length]));
                break;
            case ActivationOp a: Emit(a.Output, a.Name, "ReLU", [a.Input], ReluConfig(a.Activation, a)); break;
            case AddOp a:
                if (a.Activation == Activation.None) Emit(a.Output, a.Name, "Add", [a.A, a.B], []);
                else Activated(a.Output, a.Name, a.Activation, a, v => Emit(v, a.Name, "Add", [a.A, a.B], []));
                break;
            case PadOp p: Emit(p.Output, p.Name, "ZeroPadding2D", [p.Input], PaddingConfig(p.Pad)); break;
            case AvgPoolOp p: Pool(p); break;
            case FlattenOp f:
                if (f.Input.Shape.H * f.Input.Shape.W != 1) throw Refuse(f, "flattens a spatial map (Keras orders it H,W,C)");
                if (_vectors.Contains(f.Input)) _layerOf[f.Output] = _layerOf[f.Input]; // Keras's Flatten refuses rank 2: nothing to do
                else Emit(f.Output, f.Name, "Flatten", [f.Input], []);
                _vectors.Add(f.Output);
                break;
            case DenseOp d: Dense(d); break;
            case SoftmaxOp s: Softmax(s); break;
            default: throw Refuse(node, "has no Keras layer in this exporter");
        }
    }

    private void Conv(Conv2dOp c)
    {
        if (c.Residual is not null || c.DilationH != 1 || c.DilationW != 1) throw Refuse(c, "has a fused residual or dilation");
        var x = c.Pad == Padding.Zero ? c.Input : Padded(c.Name + "_pad", c.Input, c.Pad);
        int inC = c.Input.Shape.C, outC = c.Output.Shape.C;
        bool depthwise = c.Groups > 1 && c.Groups == inC && outC == inC;
        if (c.Groups != 1 && !depthwise) throw Refuse(c, $"is a grouped convolution ({c.Groups} groups)");
        var config = new JsonObject
        {
            ["kernel_size"] = new JsonArray(c.KernelH, c.KernelW), ["strides"] = new JsonArray(c.StrideH, c.StrideW), ["padding"] = "valid",
            ["data_format"] = "channels_last", ["dilation_rate"] = new JsonArray(1, 1), ["activation"] = ActivationName(c.Activation, c), ["use_bias"] = c.Bias is not null,
        };
        if (depthwise) config["depth_multiplier"] = 1;
        else config["filters"] = outC;
        // Ours: OIHW (O x 1 x H x W for depthwise); Keras: HWIO (H x W x C x 1 for depthwise).
        int inPerGroup = depthwise ? 1 : inC;
        var kernel = new float[c.Weights.Length];
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < inPerGroup; i++)
                for (int h = 0; h < c.KernelH; h++)
                    for (int w = 0; w < c.KernelW; w++)
                    {
                        float v = c.Weights[((o * inPerGroup + i) * c.KernelH + h) * c.KernelW + w];
                        kernel[depthwise ? (h * c.KernelW + w) * outC + o : ((h * c.KernelW + w) * inC + i) * outC + o] = v;
                    }
        int[] kernelShape = depthwise ? [c.KernelH, c.KernelW, outC, 1] : [c.KernelH, c.KernelW, inC, outC];
        var weights = new List<(string, float[], int[])> { (depthwise ? "depthwise_kernel" : "kernel", kernel, kernelShape) };
        if (c.Bias is not null) weights.Add(("bias", c.Bias, [outC]));
        Emit(c.Output, c.Name, depthwise ? "DepthwiseConv2D" : "Conv2D", [x], config, [.. weights]);
    }

    private void Pool(AvgPoolOp p)
    {
        var s = p.Input.Shape;
        if (p.KernelH == s.H && p.KernelW == s.W && p.Pad == Padding.Zero)
        {
            // Keras's global pool gives [N, C]; a Flatten or Dense after it reads that as C x 1 x 1, as ours does.
            Emit(p.Output, p.Name, "GlobalAveragePooling2D", [p.Input], new JsonObject { ["data_format"] = "channels_last" });
            _vectors.Add(p.Output);
            return;
        }
        if (p.Pad != Padding.Zero) throw Refuse(p, "pools with padding (Keras averages over the valid pixels only)");
        Emit(p.Output, p.Name, "AveragePooling2D", [p.Input], new JsonObject
        {
            ["pool_size"] = new JsonArray(p.KernelH, p.KernelW), ["strides"] = new JsonArray(p.StrideH, p.StrideW),
            ["padding"] = "valid", ["data_format"] = "channels_last",
        });
    }

    private void Dense(DenseOp d)
    {
        int inF = d.InFeatures, outF = d.OutFeatures;
        var kernel = new float[d.Weights.Length];
        for (int o = 0; o < outF; o++)
            for (int i = 0; i < inF; i++)
                kernel[i * outF + o] = d.Weights[o * inF + i]; // ours [out, in], Keras [in, out]
        var weights = new List<(string, float[], int[])> { ("kernel", kernel, [inF, outF]) };
        if (d.Bias is not null) weights.Add(("bias", d.Bias, [outF]));
        var x = d.Input;
        if (!_vectors.Contains(x)) // a C x 1 x 1 map is [N, 1, 1, C] in Keras: Dense needs it flat
        {
            x = new Value(d.Name + "_flatten", x.Shape);
            Emit(x, x.Name, "Flatten", [d.Input], []);
        }
        Emit(d.Output, d.Name, "Dense", [x], new JsonObject { ["units"] = outF, ["activation"] = ActivationName(d.Activation, d), ["use_bias"] = d.Bias is not null }, [.. weights]);
        _vectors.Add(d.Output);
    }

    /// <summary>Keras has no softmax layer our importer reads: it becomes the activation of the Dense layer before it.</summary>
    private void Softmax(SoftmaxOp s)
    {
        var dense = Layers.OfType<JsonObject>().LastOrDefault(l => (string?)l["name"] == _layerOf.GetValueOrDefault(s.Input));
        if (dense is null || (string?)dense["class_name"] != "Dense" || (string?)dense["config"]!["activation"] != "linear")
            throw Refuse(s, "is not right after a dense layer without activation");
        dense["config"]!["activation"] = "softmax";
        _layerOf[s.Output] = _layerOf[s.Input];
        _vectors.Add(s.Output);
    }

    private Value Padded(string name, Value x, Padding pad)
    {
        var y = new Value(name, new Tensors.TensorShape(x.Shape.C, x.Shape.H + pad.Top + pad.Bottom, x.Shape.W + pad.Left + pad.Right));
        Emit(y, name, "ZeroPadding2D", [x], PaddingConfig(pad));
        return y;
    }

    private void Activated(Value output, string name, Activation act, Node node, Action<Value> emitLinear)
    {
        var linear = new Value(name + "_linear", output.Shape);
        emitLinear(linear);
        Emit(output, name + "_act", "ReLU", [linear], ReluConfig(act, node));
    }

    private static JsonObject PaddingConfig(Padding p) => new()
    {
        ["padding"] = new JsonArray(new JsonArray(p.Top, p.Bottom), new JsonArray(p.Left, p.Right)), ["data_format"] = "channels_last",
    };

    private static JsonObject ReluConfig(Activation act, Node node) => act switch
    {
        Activation.Relu => [],
        Activation.Relu6 => new JsonObject { ["max_value"] = 6.0 },
        _ => throw Refuse(node, $"has activation {act} (ReLU and ReLU6 only)"),
    };

    private static string ActivationName(Activation act, Node node) => act switch
    {
        Activation.None => "linear",
        Activation.Relu => "relu",
        Activation.Relu6 => "relu6",
        _ => throw Refuse(node, $"has activation {act} (none, ReLU and ReLU6 only)"),
    };

    private void Emit(Value output, string name, string className, Value[] inputs, JsonObject config, params (string Param, float[] Data, int[] Shape)[] weights)
    {
        string layer = Unique(name);
        var inbound = new JsonArray(inputs.Select(v => (JsonNode)new JsonArray(_layerOf[v], 0, 0, new JsonObject())).ToArray());
        var json = Layer(layer, className, config);
        json["inbound_nodes"] = new JsonArray(inbound);
        Layers.Add(json);
        foreach (var (param, data, shape) in weights)
        {
            Manifest.Add(new JsonObject { ["name"] = $"{layer}/{param}", ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()), ["dtype"] = "float32" });
            _weights.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        }
        _layerOf[output] = layer;
    }

    private static JsonObject Layer(string name, string className, JsonObject config)
    {
        config["name"] = name;
        config["trainable"] = false;
        return new JsonObject { ["class_name"] = className, ["name"] = name, ["config"] = config, ["inbound_nodes"] = new JsonArray() };
    }

    private string Unique(string name)
    {
        string baseName = Sanitise(name), s = baseName;
        for (int i = 1; !_names.Add(s); i++) s = $"{baseName}_{i}";
        return s;
    }

    private static NotSupportedException Refuse(Node node, string why) => new($"TF.js export: {node.OpType} '{node.Name}' {why}");
}
