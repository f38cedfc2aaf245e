using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Import.Onnx;

/// <summary>Maps ONNX nodes with a run-time input to graph ops. Each mapping accepts exactly the attribute values
/// our op computes the same way and names anything else; per-channel arithmetic with a constant becomes a
/// BatchNorm (gamma, beta), which the passes fold into the producing convolution.</summary>
internal sealed partial class OnnxOpMapper(GraphBuilder builder, string file)
{
    public static readonly HashSet<string> Ops =
    [
        "Conv", "BatchNormalization", "Relu", "Clip", "Add", "Sub", "Mul", "Div", "GlobalAveragePool", "AveragePool",
        "Gemm", "MatMul", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Softmax", "Pad", "Identity", "Dropout",
        "Sigmoid", "HardSigmoid", "HardSwish", "MaxPool", "Transpose", "Concat", "LeakyRelu", "PRelu",
        "Split", "Slice", "Resize", "Upsample", "Equal", "Cast", "ConvTranspose", "ReduceMean", "LRN",
    ];

    private readonly NodeNames _names = new(builder.ExtraInputs.Select(v => v.Name).Append(builder.Input.Name));
    private readonly string _file = file;

    public ForeignTensor Map(OnnxNode n, object?[] inputs)
    {
        ForeignTensor X(int i) => i < inputs.Length && inputs[i] is ForeignTensor r ? r
            : throw n.Fail(i < inputs.Length && inputs[i] is not null ? $"input {i} ('{n.Inputs[i]}') must be computed at run time" : $"input {i} is missing");
        OnnxTensor? C(int i) => i < inputs.Length ? inputs[i] switch
        {
            null => null,
            OnnxTensor t => t,
            _ => throw n.Fail($"input {i} ('{n.Inputs[i]}') must be a constant (an initializer or folded), not computed at run time"),
        } : null;
        if (n.Outputs.Skip(1).Any(o => o.Length > 0) && n.OpType is not ("Dropout" or "Split"))
            throw n.Fail("only the first output is supported");

        switch (n.OpType)
        {
            case "Identity": return X(0);
            case "Dropout":
                if (C(2) is { } training && !training.All(0)) throw n.Fail("training_mode is on");
                return X(0);
            case "Conv": return Conv(n, X(0), C(1) ?? throw n.Fail("no weights"), C(2));
            case "ConvTranspose": return ConvTranspose(n, X(0), C(1) ?? throw n.Fail("no weights"), C(2));
            case "BatchNormalization":
            {
                var x = Rank4(n, X(0));
                if (n.Int("training_mode", 0) != 0 || n.Opset < 9 && n.Int("spatial", 1) != 1)
                    throw n.Fail("training mode and non-spatial batch norm are not supported");
                int ch = x.Value.Shape.C;
                var p = Enumerable.Range(1, 4).Select(i => Vector(n, C(i) ?? throw n.Fail($"input {i} is missing"), ch, $"input {i}")).ToArray();
                return ForeignTensor.ChannelsFirst(builder.BatchNorm(Name(n), x.Value, p[0], p[1], p[2], p[3], n.Float("epsilon", 1e-5f)), 4);
            }
            case "LRN": // across channels; size is required, and ours must be odd (a centred window)
                return ForeignTensor.ChannelsFirst(builder.Lrn(Name(n), Rank4(n, X(0)).Value, (int)Math.Clamp(n.Int("size", 0), 0, int.MaxValue),
                    n.Float("alpha", 1e-4f), n.Float("beta", 0.75f), n.Float("bias", 1f)), 4);
            case "Relu": return X(0) with { Value = builder.Activate(Name(n), X(0).Value, Activation.Relu) };
            case "Clip": return Clip(n, X(0), C(1), C(2));
            case "Sigmoid": return X(0) with { Value = builder.Activate(Name(n), X(0).Value, Activation.Sigmoid) };
            case "Transpose" when X(0).RowMajor && X(0).Rank == 3: return Transpose3(n, X(0));
            case "Transpose":
            {
                var x = Rank4(n, X(0));
                var perm = n.Ints("perm") ?? [0, 3, 2, 1];
                if (perm.Length != 4 || perm[0] != 0 || perm.Skip(1).Order().SequenceEqual(new long[] { 1, 2, 3 }) is false)
                    throw n.Fail($"perm [{string.Join(", ", perm)}] is not supported (the batch axis must stay first)");
                return ForeignTensor.ChannelsFirst(builder.Transpose(Name(n), x.Value, perm.Skip(1).Select(p => (int)p - 1).ToArray()), 4);
            }
            case "Concat": return Concat(n, inputs);
            case "Equal":
            {
                if (!(inputs.Length == 2 && inputs[1] is ForeignTensor b && b.Dims.SequenceEqual(X(0).Dims) && b.Value.Shape == X(0).Value.Shape))
                    throw n.Fail("only equality of two run-time tensors of the same shape is supported");
                return X(0) with { Value = builder.Equal(Name(n), X(0).Value, b.Value) };
            }
            case "Cast":
                // Run-time tensors are float, and so is what Equal makes (1 / 0): only a cast to float is a no-op.
                if (n.Int("to", 1) != 1) throw n.Fail($"a cast of a run-time tensor to {OnnxTensorReader.TypeName(n.Int("to", 1))} is not supported (only FLOAT)");
                return X(0);
            case "Resize" or "Upsample": return Resize(n, Rank4(n, X(0)), inputs);
            case "Slice":
            {
                var x = Plain(n, X(0));
                var ranges = OnnxConstantFolder.SliceRanges(n, x.Dims, OnnxConstantFolder.SliceParams(n, inputs.Select(v => v as OnnxTensor).ToArray()));
                if (ranges.Select((r, i) => i != 1 && (r.Start != 0 || r.Step != 1 || r.Count != x.Dims[i])).Any(b => b) || ranges[1].Step != 1 || ranges[1].Count == 0)
                    throw n.Fail("only a slice of the channel axis with step 1 is supported");
                return ForeignTensor.ChannelsFirst(builder.SliceChannels(Name(n), x.Value, (int)ranges[1].Start, (int)ranges[1].Count), x.Rank);
            }
            case "HardSigmoid": return X(0) with { Value = Decompositions.HardSigmoid(builder, _names, X(0).Value, n.Float("alpha", 0.2f), n.Float("beta", 0.5f), Name(n)) };
            case "HardSwish": return X(0) with { Value = Decompositions.HardSwish(builder, X(0).Value, Name(n)) };
            case "MaxPool": return MaxPool(n, X(0));
            case "LeakyRelu": return Leaky(n, X(0), Enumerable.Repeat(n.Float("alpha", 0.01f), X(0).Value.Shape.C).ToArray());
            case "PRelu": return Leaky(n, X(0), PerChannel(n, C(1) ?? throw n.Fail("no slope"), X(0)));
            case "Add" or "Sub" or "Mul" or "Div": return Arithmetic(n, inputs);
            case "GlobalAveragePool": return ForeignTensor.ChannelsFirst(builder.GlobalAvgPool(Name(n), Rank4(n, X(0)).Value), 4);
            case "AveragePool": return AveragePool(n, X(0));
            case "Gemm": return Gemm(n, X(0), C(1) ?? throw n.Fail("no B"), C(2));
            case "MatMul": return Dense(n, X(0), Transposed(n, C(1) ?? throw n.Fail("input 1 is missing")), null);
            case "Flatten" or "Reshape" or "Squeeze" or "Unsqueeze":
            {
                // The target dims, folded with batch 1 on a dims-only stand-in of the input.
                var args = inputs.Select((v, i) => i == 0 ? OnnxTensor.DimsOnly(X(0).Dims) : v as OnnxTensor).ToArray();
                if (n.OpType == "Reshape" && args.Length > 1 && args[1] is null) throw n.Fail("the target shape is not known at load time");
                return View(n, X(0), OnnxConstantFolder.Fold(n, args).Dims);
            }
            case "Softmax":
            {
                var x = X(0);
                long axis = n.Int("axis", n.Opset >= 13 ? -1 : 1);
                bool channels = !x.RowMajor && x.Value.Shape.H == 1 && x.Value.Shape.W == 1 && (axis == 1 || axis == -1 && x.Rank == 2 || n.Opset < 13 && axis == -1 + x.Rank);
                return channels ? ForeignTensor.ChannelsFirst(builder.Softmax(Name(n), x.Value), x.Rank) : AxisSoftmax(n, x, axis);
            }
            case "Pad": return Pad(n, Rank4(n, X(0)), inputs);
            case "ReduceMean": return ReduceMean(n, X(0), inputs);
            default: throw n.Fail($"op {n.OpType} is not supported");
        }
    }

    private ForeignTensor Conv(OnnxNode n, ForeignTensor x, OnnxTensor w, OnnxTensor? b)
    {
        x = Rank4(n, x);
        if (w.Rank != 4) throw n.Fail($"weights are [{string.Join(", ", w.Dims)}]; only 2-D convolutions ([O, I/group, kH, kW]) are supported");
        var s = x.Value.Shape;
        long group = n.Int("group", 1);
        int outC = (int)w.Dims[0], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (group <= 0 || s.C % group != 0 || w.Dims[1] * group != s.C || outC % group != 0)
            throw n.Fail($"weights [{string.Join(", ", w.Dims)}] with group {group} do not fit input [{string.Join(", ", x.Dims)}]");
        if (n.Ints("kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
            throw n.Fail($"kernel_shape [{string.Join(", ", ks)}] disagrees with weights [{string.Join(", ", w.Dims)}]");
        var (dh, dw) = Pair(n, "dilations");
        var (sh, sw) = Pair(n, "strides");
        // auto_pad sizes the padding by the span of the dilated kernel.
        long spanH = (kh - 1L) * dh + 1, spanW = (kw - 1L) * dw + 1;
        if (spanH > OnnxLimits.MaxActivationDim || spanW > OnnxLimits.MaxActivationDim)
            throw n.Fail($"dilations [{dh}, {dw}] spread the {kh}x{kw} kernel over {spanH}x{spanW} pixels, more than {OnnxLimits.MaxActivationDim}");
        var pad = Pads(n, s.H, s.W, (int)spanH, (int)spanW, sh, sw);
        return ForeignTensor.ChannelsFirst(builder.Conv2d(Name(n), x.Value, outC, kh, kw, sh, sw, pad, (int)group, w.AsFloats(),
            b is null ? null : Vector(n, b, outC, "bias"), dilationH: dh, dilationW: dw), 4);
    }

    /// <summary>Split on the channel axis: one channel range per output (sizes from the attribute, the input, or equal).</summary>
    public ForeignTensor[] Split(OnnxNode n, object?[] inputs)
    {
        var x = inputs.Length > 0 && inputs[0] is ForeignTensor r ? Plain(n, r) : throw n.Fail("input 0 must be computed at run time");
        if (OnnxConstantFolder.Axis(n.Int("axis", 0), x.Rank, n) != 1) throw n.Fail("only a split of the channel axis is supported");
        int channels = x.Value.Shape.C, parts = n.Outputs.Count;
        long[] sizes = (n.Opset >= 13 ? (inputs.Length > 1 ? inputs[1] as OnnxTensor : null)?.AsLongs() : n.Ints("split"))
            ?? (channels % parts == 0 ? Enumerable.Repeat((long)(channels / parts), parts).ToArray() : throw n.Fail($"{channels} channels do not split into {parts} equal parts"));
        if (sizes.Length != parts || sizes.Any(s => s <= 0) || sizes.Sum() != channels)
            throw n.Fail($"split [{string.Join(", ", sizes)}] does not divide {channels} channels into {parts} outputs");
        var result = new ForeignTensor[parts];
        int first = 0;
        for (int i = 0; i < parts; i++)
        {
            string name = Unique(n.Outputs[i].Length > 0 ? n.Outputs[i] : $"{n.Name}_{i}");
            result[i] = ForeignTensor.ChannelsFirst(builder.SliceChannels(name, x.Value, first, (int)sizes[i]), x.Rank);
            first += (int)sizes[i];
        }
        return result;
    }

    /// <summary>Resize (opset 10: scales; 11+: roi, scales or sizes) and Upsample (7-9: scales attribute or input):
    /// nearest or linear over H and W, the batch and channel scales 1.</summary>
    private ForeignTensor Resize(OnnxNode n, ForeignTensor x, object?[] inputs)
    {
        OnnxTensor? Const(int i) => i < inputs.Length ? inputs[i] as OnnxTensor : null;
        var s = x.Value.Shape;
        bool upsample = n.OpType == "Upsample";
        string mode = n.Str("mode", "nearest");
        if (mode is not ("nearest" or "linear" or "bilinear")) throw n.Fail($"mode '{mode}' is not supported (nearest, linear)");
        if (n.Int("antialias", 0) != 0 || n.Has("axes")) throw n.Fail("antialias and axes are not supported");
        float[]? scales = upsample ? (n.Floats("scales") ?? Const(1)?.AsFloats()) : Const(n.Opset < 11 ? 1 : 2) is { Count: > 0 } sc ? sc.AsFloats() : null;
        long[]? sizes = !upsample && n.Opset >= 11 && Const(3) is { Count: > 0 } sz ? sz.AsLongs() : null;
        int outH, outW;
        float scaleH, scaleW;
        if (sizes is not null)
        {
            if (sizes.Length != 4 || sizes[0] != 1 || sizes[1] != s.C) throw n.Fail($"sizes [{string.Join(", ", sizes)}] must keep N and C");
            (outH, outW) = ((int)Math.Clamp(sizes[2], 0, int.MaxValue), (int)Math.Clamp(sizes[3], 0, int.MaxValue));
            (scaleH, scaleW) = ((float)outH / s.H, (float)outW / s.W);
        }
        else if (scales is not null)
        {
            if (scales.Length != 4 || scales[0] != 1 || scales[1] != 1) throw n.Fail($"scales [{string.Join(", ", scales)}] must be 1 for N and C");
            (scaleH, scaleW) = (scales[2], scales[3]);
            if (!(scaleH > 0 && scaleW > 0 && scaleH * s.H < 1 << 16 && scaleW * s.W < 1 << 16)) throw n.Fail($"scales [{string.Join(", ", scales)}] are not positive sizes");
            (outH, outW) = ((int)Math.Floor(s.H * scaleH), (int)Math.Floor(s.W * scaleW));
        }
        else throw n.Fail("neither scales nor sizes are known at load time");
        var coordinates = (upsample || n.Opset < 11 ? "asymmetric" : n.Str("coordinate_transformation_mode", "half_pixel")) switch
        {
            "half_pixel" => ResizeCoordinates.HalfPixel,
            "asymmetric" => ResizeCoordinates.Asymmetric,
            "align_corners" => ResizeCoordinates.AlignCorners,
            "pytorch_half_pixel" => ResizeCoordinates.PytorchHalfPixel,
            "tf_half_pixel_for_nn" => ResizeCoordinates.TfHalfPixelForNn,
            var other => throw n.Fail($"coordinate_transformation_mode '{other}' is not supported"),
        };
        var nearest = (upsample || n.Opset < 11 ? "floor" : n.Str("nearest_mode", "round_prefer_floor")) switch
        {
            "round_prefer_floor" => ResizeNearest.RoundPreferFloor,
            "round_prefer_ceil" => ResizeNearest.RoundPreferCeil,
            "floor" => ResizeNearest.Floor,
            "ceil" => ResizeNearest.Ceil,
            var other => throw n.Fail($"nearest_mode '{other}' is not supported"),
        };
        return ForeignTensor.ChannelsFirst(builder.Resize(Name(n), x.Value, outH, outW, mode != "nearest", coordinates, nearest, scaleH, scaleW), 4);
    }

    /// <summary>LeakyRelu / PRelu with a per-channel slope a: a x + (1 - a) relu(x), two affine maps and an Add.</summary>
    private ForeignTensor Leaky(OnnxNode n, ForeignTensor x, float[] slope)
    {
        string name = Name(n);
        int ch = x.Value.Shape.C;
        float[] Fill(float v) => Enumerable.Repeat(v, ch).ToArray();
        var linear = builder.BatchNorm(Unique(name + "/linear"), x.Value, slope, Fill(0), Fill(0), Fill(1), 0f);
        var relu = builder.Activate(Unique(name + "/relu"), x.Value, Activation.Relu);
        var rest = builder.BatchNorm(Unique(name + "/rest"), relu, slope.Select(a => 1 - a).ToArray(), Fill(0), Fill(0), Fill(1), 0f);
        return x with { Value = builder.Add(name, linear, rest) };
    }

    private ForeignTensor Gemm(OnnxNode n, ForeignTensor a, OnnxTensor b, OnnxTensor? c)
    {
        if (n.Int("transA", 0) != 0) throw n.Fail("transA=1 is not supported");
        if (b.Rank != 2) throw n.Fail($"B is [{string.Join(", ", b.Dims)}], expected a matrix");
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        // Dense wants [Out, In]: that is B when transB=1, else B transposed.
        var w = n.Int("transB", 0) != 0 ? b : Transposed(n, b);
        var weights = w.AsFloats();
        if (alpha != 1f) weights = weights.Select(v => v * alpha).ToArray();
        float[]? bias = c is null ? null
            : (c.Count == 1 ? Enumerable.Repeat((float)c[0], (int)w.Dims[0]).ToArray() : Vector(n, c, (int)w.Dims[0], "C")).Select(v => v * beta).ToArray();
        return Dense(n, a, w.Reshaped(w.Dims), bias, weights);
    }

    private ForeignTensor Dense(OnnxNode n, ForeignTensor a, OnnxTensor w, float[]? bias, float[]? weights = null)
    {
        if (a.Rank != 2 || a.RowMajor) throw n.Fail($"input is [{string.Join(", ", a.Dims)}]; only a [N, features] input is supported");
        if (w.Rank != 2 || w.Dims[1] != a.Value.Shape.C)
            throw n.Fail($"weights [{string.Join(", ", w.Dims)}] do not fit input [{string.Join(", ", a.Dims)}]");
        return ForeignTensor.ChannelsFirst(builder.Dense(Name(n), a.Value, (int)w.Dims[0], weights ?? w.AsFloats(), bias), 2);
    }

    private static ForeignTensor Plain(OnnxNode n, ForeignTensor x) =>
        !x.RowMajor ? x : throw n.Fail($"input [{string.Join(", ", x.Dims)}] is a reshaped view; only [N, C, H, W] and [N, C] are supported here");

    private ForeignTensor Pad(OnnxNode n, ForeignTensor x, object?[] inputs)
    {
        if (n.Str("mode", "constant") != "constant") throw n.Fail($"mode '{n.Str("mode", "")}' is not supported (only constant)");
        long[] pads;
        float value;
        if (n.Opset < 11)
        {
            pads = n.Ints("pads") ?? throw n.Fail("no pads");
            value = n.Float("value", 0f);
        }
        else
        {
            pads = (inputs.Length > 1 ? inputs[1] as OnnxTensor : null)?.AsLongs() ?? throw n.Fail("pads are not known at load time");
            value = inputs.Length > 2 && inputs[2] is OnnxTensor v ? (float)v[0] : 0f;
            if (inputs.Length > 3 && inputs[3] is OnnxTensor axes)
            {
                var full = new long[8];
                var ax = axes.AsLongs();
                if (pads.Length != 2 * ax.Length) throw n.Fail("pads and axes differ in length");
                for (int i = 0; i < ax.Length; i++)
                {
                    int a = OnnxConstantFolder.Axis(ax[i], 4, n);
                    full[a] = pads[i];
                    full[a + 4] = pads[i + ax.Length];
                }
                pads = full;
            }
        }
        if (value != 0f) throw n.Fail($"constant value {value} is not supported (only 0)");
        if (pads.Length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads.Any(p => p < 0 || p > OnnxLimits.MaxActivationDim))
            throw n.Fail($"pads [{string.Join(", ", pads)}] are not supported (only non-negative padding of H and W)");
        return ForeignTensor.ChannelsFirst(builder.Pad(Name(n), x.Value, new Padding((int)pads[2], (int)pads[3], (int)pads[6], (int)pads[7])), 4);
    }

    private static OnnxTensor Transposed(OnnxNode n, OnnxTensor m)
    {
        if (m.Rank != 2) throw n.Fail($"the constant operand is [{string.Join(", ", m.Dims)}], expected a matrix");
        long rows = m.Dims[0], cols = m.Dims[1];
        var src = m.AsFloats();
        var t = new float[src.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++) t[c * rows + r] = src[r * cols + c];
        return OnnxTensor.OfFloats([cols, rows], t);
    }

    private static ForeignTensor Rank4(OnnxNode n, ForeignTensor x) =>
        x.Rank == 4 && !x.RowMajor ? x : throw n.Fail($"input is [{string.Join(", ", x.Dims)}]; expected [N, C, H, W]");

    private static (int, int) Pair(OnnxNode n, string attr)
    {
        var v = n.Ints(attr) ?? [1, 1];
        if (v.Length != 2 || v.Any(s => s <= 0 || s > OnnxLimits.MaxActivationDim)) throw n.Fail($"{attr} [{string.Join(", ", v)}] is not a positive pair");
        return ((int)v[0], (int)v[1]);
    }

    /// <summary>Explicit pads ([top, left, bottom, right] in ONNX's begin/end order) or auto_pad's rule.</summary>
    private static Padding Pads(OnnxNode n, int h, int w, int kh, int kw, int sh, int sw)
    {
        switch (n.Str("auto_pad", "NOTSET"))
        {
            case "NOTSET" or "":
                var p = n.Ints("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4 || p.Any(v => v < 0 || v > OnnxLimits.MaxActivationDim)) throw n.Fail($"pads [{string.Join(", ", p)}] are not 4 non-negative values");
                return new Padding((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
            case "VALID": return Padding.Zero;
            case "SAME_UPPER": return Padding.Same(h, w, kh, kw, sh, sw);
            case "SAME_LOWER":
                var s = Padding.Same(h, w, kh, kw, sh, sw);
                return new Padding(s.Bottom, s.Right, s.Top, s.Left);
            case var other: throw n.Fail($"auto_pad '{other}' is not supported");
        }
    }

    /// <summary>Our op name for the node: its first output (unique in ONNX), made unique against the input and
    /// names we generated.</summary>
    private string Name(OnnxNode n) => Unique(n.Outputs[0].Length > 0 ? n.Outputs[0] : n.Name);

    private string Unique(string name) => _names.Unique(name);

    public override string ToString() => $"ONNX op mapper for {_file}";
}
