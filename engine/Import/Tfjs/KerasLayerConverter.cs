using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Turns one Keras layer into graph ops, converting its channels-last weights to the
/// engine's layouts. Holds the state that spans layers: the builder, the weights, and which values
/// came out of a Keras Flatten in H,W,C order.</summary>
internal sealed class KerasLayerConverter(GraphBuilder builder, IReadOnlyDictionary<string, TfjsWeight> weights, string file)
{
    // Values produced by Flatten from a C x H x W tensor with H*W > 1, with that shape. Keras
    // numbers their elements H,W,C, ours C,H,W: only a Dense layer (which can permute its weights)
    // or an identity may read them.
    private readonly Dictionary<Value, (int C, int H, int W)> _flattened = [];

    public Value Convert(KerasLayer layer, IReadOnlyList<Value> inputs)
    {
        if (layer.ClassName is not ("Dense" or "Dropout") && inputs.FirstOrDefault(_flattened.ContainsKey) is { } f)
            throw layer.Error($"reads '{f.Name}', a Keras Flatten of a {_flattened[f].H}x{_flattened[f].W} map in H,W,C order; only Dense may follow it");
        if (layer.ClassName != "Add" && inputs.Count != 1)
            throw layer.Error($"expects 1 input, has {inputs.Count}");
        CheckChannelsLast(layer);
        return layer.ClassName switch
        {
            "Conv2D" => Conv2D(layer, inputs[0]),
            "DepthwiseConv2D" => Depthwise(layer, inputs[0]),
            "BatchNormalization" => BatchNorm(layer, inputs[0]),
            "ReLU" => Relu(layer, inputs[0]),
            "ZeroPadding2D" => builder.Pad(layer.Name, inputs[0], ZeroPadding(layer)),
            "Add" => Add(layer, inputs),
            "AveragePooling2D" => AvgPool(layer, inputs[0]),
            "GlobalAveragePooling2D" => builder.GlobalAvgPool(layer.Name, inputs[0]),
            "Flatten" => Flatten(layer, inputs[0]),
            "Dense" => Dense(layer, inputs[0]),
            "Dropout" => inputs[0], // inference: identity
            _ => throw layer.Error($"unsupported layer class '{layer.ClassName}'"),
        };
    }

    private Value Conv2D(KerasLayer layer, Value x)
    {
        if (layer.Has("groups") && layer.Int("groups") != 1) throw layer.Error("grouped Conv2D is not supported");
        CheckNoDilation(layer);
        int outC = layer.Int("filters");
        var (kh, kw) = layer.Pair("kernel_size");
        var (sh, sw) = layer.Pair("strides");
        var kernel = Weight(layer, "kernel", [kh, kw, x.Shape.C, outC]);
        var bias = layer.Bool("use_bias", true) ? Weight(layer, "bias", [outC]) : null;
        return builder.Conv2d(layer.Name, x, outC, kh, kw, sh, sw, ConvPadding(layer, x, kh, kw, sh, sw), 1,
            WeightLayout.HwioToOihw(kernel, kh, kw, x.Shape.C, outC), bias, FusedActivation(layer));
    }

    private Value Depthwise(KerasLayer layer, Value x)
    {
        int mult = layer.Has("depth_multiplier") ? layer.Int("depth_multiplier") : 1;
        if (mult != 1) throw layer.Error($"depth_multiplier {mult} is not supported (only 1)");
        CheckNoDilation(layer);
        int c = x.Shape.C;
        var (kh, kw) = layer.Pair("kernel_size");
        var (sh, sw) = layer.Pair("strides");
        var kernel = Weight(layer, "depthwise_kernel", [kh, kw, c, 1]);
        var bias = layer.Bool("use_bias", true) ? Weight(layer, "bias", [c]) : null;
        return builder.Conv2d(layer.Name, x, c, kh, kw, sh, sw, ConvPadding(layer, x, kh, kw, sh, sw), c,
            WeightLayout.DepthwiseToOihw(kernel, kh, kw, c), bias, FusedActivation(layer));
    }

    private Value BatchNorm(KerasLayer layer, Value x)
    {
        if (layer.Has("axis"))
        {
            var axisEl = layer.Get("axis");
            int[] axis = axisEl.ValueKind == System.Text.Json.JsonValueKind.Array ? layer.Ints(axisEl, "axis") : [layer.Int("axis")];
            if (axis is not ([-1] or [3])) throw layer.Error($"axis {axisEl.GetRawText()} is not supported (channels axis -1 only)");
        }
        int c = x.Shape.C;
        float[] Filled(float v) => Enumerable.Repeat(v, c).ToArray();
        var gamma = layer.Bool("scale", true) ? Weight(layer, "gamma", [c]) : Filled(1f);
        var beta = layer.Bool("center", true) ? Weight(layer, "beta", [c]) : Filled(0f);
        return builder.BatchNorm(layer.Name, x, gamma, beta,
            Weight(layer, "moving_mean", [c]), Weight(layer, "moving_variance", [c]), (float)layer.Double("epsilon", 1e-3));
    }

    private Value Relu(KerasLayer layer, Value x)
    {
        if (layer.Double("negative_slope", 0) != 0 || layer.Double("threshold", 0) != 0)
            throw layer.Error("leaky or thresholded ReLU is not supported");
        var act = !layer.Has("max_value") ? Activation.Relu
            : layer.Double("max_value", 0) == 6 ? Activation.Relu6
            : throw layer.Error($"max_value {layer.Get("max_value").GetRawText()} is not supported (none or 6)");
        return builder.Activate(layer.Name, x, act);
    }

    private Value Add(KerasLayer layer, IReadOnlyList<Value> inputs)
    {
        if (inputs.Count < 2) throw layer.Error($"expects at least 2 inputs, has {inputs.Count}");
        var sum = inputs[0];
        for (int i = 1; i < inputs.Count; i++)
            sum = builder.Add(i == inputs.Count - 1 ? layer.Name : $"{layer.Name}/{i}", sum, inputs[i]);
        return sum;
    }

    private Value AvgPool(KerasLayer layer, Value x)
    {
        var (kh, kw) = layer.Pair("pool_size");
        var (sh, sw) = layer.Has("strides") ? layer.Pair("strides") : (kh, kw);
        return builder.AvgPool(layer.Name, x, kh, kw, sh, sw, ConvPadding(layer, x, kh, kw, sh, sw));
    }

    private Value Flatten(KerasLayer layer, Value x)
    {
        var y = builder.Flatten(layer.Name, x);
        if (x.Shape.H * x.Shape.W > 1) _flattened[y] = (x.Shape.C, x.Shape.H, x.Shape.W);
        return y;
    }

    private Value Dense(KerasLayer layer, Value x)
    {
        int units = layer.Int("units");
        int inF = x.Shape.Elements;
        var kernel = Weight(layer, "kernel", [inF, units]);
        var bias = layer.Bool("use_bias", true) ? Weight(layer, "bias", [units]) : null;
        (int, int, int)? flattenedFrom = _flattened.TryGetValue(x, out var from) ? from : null;
        var w = WeightLayout.DenseToOutIn(kernel, inF, units, flattenedFrom);
        if (layer.String("activation", "linear") != "softmax")
            return builder.Dense(layer.Name, x, units, w, bias, FusedActivation(layer));
        // Softmax is not an element-wise activation: it gets its own op after a linear Dense.
        var logits = builder.Dense($"{layer.Name}/logits", x, units, w, bias);
        return builder.Softmax(layer.Name, logits);
    }

    private static Activation FusedActivation(KerasLayer layer) => layer.String("activation", "linear") switch
    {
        "linear" => Activation.None,
        "relu" => Activation.Relu,
        "relu6" => Activation.Relu6,
        var a => throw layer.Error($"activation '{a}' is not supported (linear, relu, relu6{(layer.ClassName == "Dense" ? ", softmax" : "")})"),
    };

    private static Padding ConvPadding(KerasLayer layer, Value x, int kh, int kw, int sh, int sw) => layer.String("padding", "valid") switch
    {
        "valid" => Padding.Zero,
        "same" => Padding.Same(x.Shape.H, x.Shape.W, kh, kw, sh, sw),
        var p => throw layer.Error($"padding '{p}' is not supported (valid, same)"),
    };

    private static Padding ZeroPadding(KerasLayer layer)
    {
        var p = layer.Get("padding");
        if (p.ValueKind == System.Text.Json.JsonValueKind.Number) return Padding.Symmetric(layer.Int("padding"));
        var items = p.EnumerateArray().ToList();
        if (items.Count == 2 && items.All(i => i.ValueKind == System.Text.Json.JsonValueKind.Number))
        {
            var hw = layer.Ints(p, "padding");
            return new Padding(hw[0], hw[1], hw[0], hw[1]);
        }
        if (items.Count == 2 && layer.Ints(items[0], "padding") is [int t, int b] && layer.Ints(items[1], "padding") is [int l, int r])
            return new Padding(t, l, b, r);
        throw layer.Error($"padding {p.GetRawText()} is not understood");
    }

    private static void CheckNoDilation(KerasLayer layer)
    {
        if (layer.Has("dilation_rate") && layer.Pair("dilation_rate") != (1, 1))
            throw layer.Error($"dilation_rate {layer.Get("dilation_rate").GetRawText()} is not supported");
    }

    private static void CheckChannelsLast(KerasLayer layer)
    {
        string format = layer.String("data_format", "channels_last");
        if (format != "channels_last") throw layer.Error($"data_format '{format}' is not supported (channels_last)");
    }

    private float[] Weight(KerasLayer layer, string param, int[] expectedShape)
    {
        string name = $"{layer.Name}/{param}";
        if (!weights.TryGetValue(name, out var w))
            throw new ModelLoadException($"{file}: missing weight '{name}' for layer '{layer.Name}' ({layer.ClassName})");
        if (!w.Shape.SequenceEqual(expectedShape))
            throw new ModelLoadException(
                $"{file}: shape mismatch: weight '{name}' is {w.ShapeText}, layer '{layer.Name}' ({layer.ClassName}) expects [{string.Join(",", expectedShape)}]");
        return w.Data;
    }
}
