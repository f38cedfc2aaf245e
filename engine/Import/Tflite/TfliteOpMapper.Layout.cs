using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Tflite;

/// <summary>Layout, pooling and head operators, and the helpers every mapping shares.</summary>
internal sealed partial class TfliteOpMapper
{
    private ForeignTensor Reshape(TfliteOperator op, TfliteTensor output)
    {
        var x = RuntimeInput(op, 0);
        // TFLite files carry static output shapes: the declared one is the target (new_shape/shape input agree with it).
        var dims = output.Shape.ToArray();
        if (dims.Length == 0 || dims.Any(d => d <= 0) || dims[0] != 1)
            throw Fail(op, $"output {output.Describe} is not a static shape with batch 1");
        if (dims.Aggregate(1L, (p, d) => p * d) != x.Dims.Aggregate(1L, (p, d) => p * d))
            throw Fail(op, $"[{string.Join(", ", x.Dims)}] cannot be reshaped to [{string.Join(", ", dims)}]");
        string name = BaseName(output);
        return FromRowMajor(RowMajor(x, name + "/nhwc"), dims, name);
    }

    private ForeignTensor Concat(TfliteOperator op, TfliteTensor output)
    {
        var o = Options(op);
        var parts = Enumerable.Range(0, op.Inputs.Length).Select(i => RuntimeInput(op, i)).ToList();
        int rank = parts[0].Dims.Length;
        int axis = o.Int(TfliteSchema.ConcatAxis);
        if (axis < 0) axis += rank;
        if (rank is < 2 or > 4 || axis <= 0 || axis >= rank || parts.Any(p => p.Dims.Length != rank))
            throw Fail(op, $"concatenation on axis {o.Int(TfliteSchema.ConcatAxis)} of [{string.Join("], [", parts.Select(p => string.Join(", ", p.Dims)))}] is not supported");
        for (int d = 0; d < rank; d++)
            if (d != axis && parts.Any(p => p.Dims[d] != parts[0].Dims[d]))
                throw Fail(op, $"parts differ on axis {d}: [{string.Join("], [", parts.Select(p => string.Join(", ", p.Dims)))}]");
        var act = FusedActivation(op, o.Byte(TfliteSchema.ConcatActivation));
        string name = Name(output), inner = act == Activation.None ? name : Unique(name + "/concat");
        var dims = parts[0].Dims.ToArray();
        dims[axis] = parts.Sum(p => p.Dims[axis]);
        Value y;
        bool rowMajor;
        if (rank == 4 && axis == 3)
        {
            // Channels: our channel concatenation of C x H x W values.
            var nchw = parts.Select(p => ToNchw(p, name)).ToList();
            y = builder.Concat(inner, nchw.Select(p => (Value?)p.Value).ToList(), nchw.Select(p => p.Value.Shape.C).ToList());
            rowMajor = false;
        }
        else if (Enumerable.Range(1, axis - 1).All(d => dims[d] == 1))
        {
            // Nothing outside the axis but batch: row-major data is each part's block after the other, i.e. a channel
            // concatenation of the parts seen as (axis dim) x (inner size) x 1 (the SSD's [1, anchors, 1, 4] heads).
            int innerSize = checked((int)dims.Skip(axis + 1).Aggregate(1L, (p, d) => p * d));
            var blocks = parts.Select(p => (Value?)Same(RowMajor(p, name + "/nhwc"), new TensorShape(p.Dim(axis), innerSize, 1), name + "/block")).ToList();
            y = builder.Concat(inner, blocks, parts.Select(p => p.Dim(axis)).ToList());
            rowMajor = rank == 4;
        }
        else throw Fail(op, $"concatenation on axis {axis} of rank-{rank} tensors with more than one row before it is not supported");
        if (act != Activation.None) y = builder.Activate(name, y, act);
        return new ForeignTensor(y, dims, rowMajor);
    }

    private ForeignTensor Pool(TfliteOperator op, TfliteTensor output)
    {
        var x = Input4(op, 0);
        var o = Options(op);
        int kh = o.Int(TfliteSchema.PoolFilterH), kw = o.Int(TfliteSchema.PoolFilterW);
        int sh = o.Int(TfliteSchema.PoolStrideH), sw = o.Int(TfliteSchema.PoolStrideW);
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || kh > 1 << 16 || kw > 1 << 16)
            throw Fail(op, $"pool {kh}x{kw} stride {sh}x{sw} is not a valid window");
        var act = FusedActivation(op, o.Byte(TfliteSchema.PoolActivation));
        var pad = Pads(op, o.Byte(TfliteSchema.PoolPadding), x.Value.Shape, kh, kw, sh, sw);
        string name = Name(output), inner = act == Activation.None ? name : Unique(name + "/pool");
        // Both TFLite and our AvgPool leave padded positions out of the average.
        var y = (TfliteOp)op.Code == TfliteOp.MaxPool2d
            ? builder.MaxPool(inner, x.Value, kh, kw, sh, sw, pad)
            : builder.AvgPool(inner, x.Value, kh, kw, sh, sw, pad);
        if (act != Activation.None) y = builder.Activate(name, y, act);
        return ForeignTensor.ChannelsLast(y);
    }

    private ForeignTensor Pad(TfliteOperator op, TfliteTensor output)
    {
        var x = Input4(op, 0);
        var amounts = op.Inputs.Length > 1 && op.Inputs[1] >= 0
            ? model.Integers(Tensor(op, 1), p => Fail(op, p)) : null;
        if (amounts is null || amounts.Length != 8) throw Fail(op, "the paddings must be a constant [4, 2] tensor");
        if (amounts[0] != 0 || amounts[1] != 0 || amounts[6] != 0 || amounts[7] != 0)
            throw Fail(op, $"padding the batch or channel axis ([{string.Join(", ", amounts)}]) is not supported");
        if (amounts.Any(a => a < 0 || a > 1 << 16)) throw Fail(op, $"paddings [{string.Join(", ", amounts)}] are out of range");
        var y = builder.Pad(Name(output), x.Value, new Padding((int)amounts[2], (int)amounts[4], (int)amounts[3], (int)amounts[5]));
        return ForeignTensor.ChannelsLast(y);
    }

    private ForeignTensor Softmax(TfliteOperator op, TfliteTensor output)
    {
        var x = RuntimeInput(op, 0);
        float beta = Options(op, required: false)?.Float(TfliteSchema.SoftmaxBeta, 1f) ?? 1f;
        if (beta != 1f) throw Fail(op, $"softmax with beta {beta} is not supported (only 1)");
        if (x.Value.Shape.H != 1 || x.Value.Shape.W != 1)
            throw Fail(op, $"softmax over the last axis of [{string.Join(", ", x.Dims)}] is not supported (only [1, N] or [1, 1, 1, N])");
        return x with { Value = builder.Softmax(Name(output), x.Value) };
    }

    private ForeignTensor FullyConnected(TfliteOperator op, TfliteTensor output)
    {
        var x = RuntimeInput(op, 0);
        var weightsTensor = Tensor(op, 1);
        var w = Constant(op, 1, "weights");
        var bias = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? Constant(op, 2, "bias") : null;
        var o = Options(op, required: false);
        if ((o?.Byte(TfliteSchema.FcWeightsFormat) ?? 0) != 0) throw Fail(op, "shuffled int8 weights are not supported");
        if (weightsTensor.Shape.Length != 2) throw Fail(op, $"weights {weightsTensor.Describe} are not [units, inputs]");
        int units = weightsTensor.Shape[0];
        var act = FusedActivation(op, o?.Byte(TfliteSchema.ElementwiseActivation) ?? TfliteSchema.ActNone);
        string name = Name(output);
        var flat = x.Value.Shape.H == 1 && x.Value.Shape.W == 1 ? x.Value
            : builder.Reshape(Unique(name + "/flatten"), RowMajor(x, name + "/nhwc"), new TensorShape(x.Value.Shape.Elements, 1, 1));
        var y = builder.Dense(name, flat, units, w, bias, act);
        return new ForeignTensor(y, [1, units]);
    }

    private ForeignTensor Mean(TfliteOperator op, TfliteTensor output)
    {
        var x = Input4(op, 0);
        var axes = op.Inputs.Length > 1 ? model.Integers(Tensor(op, 1), p => Fail(op, p)) : null;
        if (axes is null || axes.Select(a => a < 0 ? a + 4 : a).Order().SequenceEqual([1L, 2L]) is false)
            throw Fail(op, $"MEAN over axes [{string.Join(", ", axes ?? [])}] is not supported (only the spatial axes 1 and 2)");
        bool keep = Options(op, required: false)?.Bool(TfliteSchema.ReducerKeepDims) ?? false;
        var y = builder.GlobalAvgPool(Name(output), x.Value);
        return new ForeignTensor(y, keep ? [1, 1, 1, y.Shape.C] : [1, y.Shape.C]);
    }

    /// <summary>A value whose memory is <paramref name="x"/>'s TFLite row-major order: a channels-first rank-4 value with
    /// more than one pixel is transposed to H x W x C; anything else already is.</summary>
    private Value RowMajor(ForeignTensor x, string name) =>
        x.Dims.Length == 4 && !x.RowMajor && x.Dims[1] * x.Dims[2] > 1 ? builder.Transpose(Unique(name), x.Value, [1, 2, 0]) : x.Value;

    /// <summary><paramref name="x"/> with a channels-first C x H x W value (what convolutions, pools and pads read).</summary>
    private ForeignTensor ToNchw(ForeignTensor x, string name)
    {
        if (x.Dims.Length != 4) return x;
        var chw = new TensorShape(x.Dim(3), x.Dim(1), x.Dim(2));
        if (!x.RowMajor) return x;
        if (x.Dims[1] * x.Dims[2] == 1) return new ForeignTensor(Same(x.Value, chw, name + "/chw"), x.Dims);
        var hwc = Same(x.Value, new TensorShape(x.Dim(1), x.Dim(2), x.Dim(3)), name + "/hwc");
        return new ForeignTensor(builder.Transpose(Unique(name + "/chw"), hwc, [2, 0, 1]), x.Dims);
    }

    /// <summary>The tensor of TFLite dims <paramref name="dims"/> holding the row-major data of <paramref name="flat"/>:
    /// rank 4 stays row-major (H x W x C) until an op needs channels first; ranks 2 and 3 are F x 1 x 1 and A x B x 1.</summary>
    private ForeignTensor FromRowMajor(Value flat, int[] dims, string name) => dims.Length switch
    {
        4 when dims[1] * dims[2] > 1 => new ForeignTensor(Same(flat, new TensorShape(dims[1], dims[2], dims[3]), name), Longs(dims), RowMajor: true),
        4 => new ForeignTensor(Same(flat, new TensorShape(dims[3], 1, 1), name), Longs(dims)),
        3 => new ForeignTensor(Same(flat, new TensorShape(dims[1], dims[2], 1), name), Longs(dims)),
        2 => new ForeignTensor(Same(flat, new TensorShape(dims[1], 1, 1), name), Longs(dims)),
        _ => throw new InvalidGraphException($"Reshape '{name}': rank-{dims.Length} tensors are not supported (ranks 2 to 4)"),
    };

    private static long[] Longs(int[] dims) => Array.ConvertAll(dims, d => (long)d);

    /// <summary>The same memory seen as <paramref name="shape"/>: an alias node (free on the GPU), so the tensor gets its own name.</summary>
    private Value Same(Value x, TensorShape shape, string name) => builder.Reshape(Unique(name), x, shape);

    private TfliteTensor Tensor(TfliteOperator op, int i) =>
        i < op.Inputs.Length && op.Inputs[i] >= 0 ? model.Tensors[op.Inputs[i]] : throw Fail(op, $"input {i} is missing");

    private ForeignTensor RuntimeInput(TfliteOperator op, int i)
    {
        var t = Tensor(op, i);
        return _runtime.TryGetValue(t.Index, out var r) ? r
            : throw Fail(op, $"input {i} {t.Describe} is {(model.Data(t).IsEmpty && !_floats.ContainsKey(t.Index) ? "not computed by an earlier operator" : "a constant; only run-time inputs are supported here")}");
    }

    private ForeignTensor Input4(TfliteOperator op, int i)
    {
        var r = RuntimeInput(op, i);
        return r.Dims.Length == 4 ? ToNchw(r, BaseName(model.Tensors[op.Outputs[0]])) : throw Fail(op, $"input {i} is [{string.Join(", ", r.Dims)}]; [1, H, W, C] is needed");
    }

    /// <summary>A float constant: data in the file, or the result of an earlier DEQUANTIZE.</summary>
    private float[] Constant(TfliteOperator op, int i, string what)
    {
        var t = Tensor(op, i);
        if (_floats.TryGetValue(t.Index, out var f)) return f;
        if (_runtime.ContainsKey(t.Index)) throw Fail(op, $"{what} {t.Describe} is computed at run time; only constant {what} is supported");
        return model.Floats(t, p => Fail(op, p)) ?? throw Fail(op, $"{what} {t.Describe} has no data");
    }

    private FlatTable Options(TfliteOperator op) => Options(op, required: true)!.Value;

    private FlatTable? Options(TfliteOperator op, bool required) =>
        op.Options ?? (required ? throw Fail(op, $"{op.OpName} has no builtin options") : null);

    private Activation FusedActivation(TfliteOperator op, byte act) => act switch
    {
        TfliteSchema.ActNone => Activation.None,
        TfliteSchema.ActRelu => Activation.Relu,
        TfliteSchema.ActRelu6 => Activation.Relu6,
        _ => throw Fail(op, $"fused activation {act switch { TfliteSchema.ActReluN1To1 => "RELU_N1_TO_1", TfliteSchema.ActTanh => "TANH", TfliteSchema.ActSignBit => "SIGN_BIT", _ => act.ToString() }} is not supported"),
    };

    private Padding Pads(TfliteOperator op, byte padding, TensorShape x, int kh, int kw, int sh, int sw) => padding switch
    {
        TfliteSchema.PaddingSame => Padding.Same(x.H, x.W, kh, kw, sh, sw),
        TfliteSchema.PaddingValid => Padding.Zero,
        _ => throw Fail(op, $"padding {padding} is not SAME or VALID"),
    };

    /// <summary>The shape we compute must be the one the file declares for the output tensor (when it declares one).</summary>
    private void CheckDeclared(TfliteOperator op, TfliteTensor output, long[] dims)
    {
        if (output.Shape.Length > 0 && !Longs(output.Shape).SequenceEqual(dims))
            throw Fail(op, $"output {output.Describe} is declared, but the operator computes [{string.Join(", ", dims)}]");
    }

    /// <summary>A unique node name for the op writing <paramref name="output"/>: the tensor's own name when still free.</summary>
    private string Name(TfliteTensor output) => Unique(BaseName(output));

    private static string BaseName(TfliteTensor output) => output.Name.Length > 0 ? output.Name : $"tensor_{output.Index}";

    private string Unique(string name) => _names.Unique(name);

    private ModelLoadException Fail(TfliteOperator op, string problem) =>
        new($"{file}: operator {op.Index} ({op.OpName} -> '{(op.Outputs.Length > 0 ? model.Tensors[op.Outputs[0]].Name : "")}'): {problem}");
}
