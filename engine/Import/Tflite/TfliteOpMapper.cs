using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Tflite;

/// <summary>Maps TFLite operators onto graph ops, one at a time in execution order. Each tensor is either a constant
/// (float or integer data known at load time, e.g. fp16 weights after DEQUANTIZE) or a run-time value with its TFLite
/// dims. A run-time [1, H, W, C] tensor is the graph value C x H x W; [1, A, B] is A x B x 1 and [1, F] is F x 1 x 1,
/// so below rank 4 the graph's memory order is TFLite's row-major order (reshapes of rank-4 values transpose first).</summary>
internal sealed partial class TfliteOpMapper(TfliteModel model, GraphBuilder builder, string file)
{
    private readonly Dictionary<int, ForeignTensor> _runtime = [];
    private readonly Dictionary<int, float[]> _floats = [];
    private readonly NodeNames _names = new([builder.Input.Name]);

    public void BindInput(TfliteTensor input) => _runtime[input.Index] = new ForeignTensor(builder.Input, Longs(input.Shape));

    /// <summary>The graph value of a run-time tensor (rank 4: C x H x W), null if it is a constant or never computed.</summary>
    public Value? RuntimeValue(int tensor) => _runtime.TryGetValue(tensor, out var r) ? ToNchw(r, model.Tensors[tensor].Name).Value : null;

    public void Map(TfliteOperator op)
    {
        if (op.Outputs.Length == 0) throw Fail(op, "the operator has no outputs");
        var output = model.Tensors[op.Outputs[0]];
        try
        {
            if ((TfliteOp)op.Code == TfliteOp.Dequantize)
            {
                Dequantize(op, output);
                return;
            }
            var result = (TfliteOp)op.Code switch
            {
                TfliteOp.Conv2d => Conv(op, output, depthwise: false),
                TfliteOp.DepthwiseConv2d => Conv(op, output, depthwise: true),
                TfliteOp.Add => Elementwise(op, output, multiply: false),
                TfliteOp.Mul => Elementwise(op, output, multiply: true),
                TfliteOp.Reshape or TfliteOp.Squeeze => Reshape(op, output),
                TfliteOp.Concatenation => Concat(op, output),
                TfliteOp.AveragePool2d or TfliteOp.MaxPool2d => Pool(op, output),
                TfliteOp.Pad => Pad(op, output),
                TfliteOp.Softmax => Softmax(op, output),
                TfliteOp.FullyConnected => FullyConnected(op, output),
                TfliteOp.Mean => Mean(op, output),
                TfliteOp.HardSwish => HardSwish(op, output),
                TfliteOp.Logistic => Unary(op, output, Activation.Sigmoid),
                TfliteOp.Relu => Unary(op, output, Activation.Relu),
                TfliteOp.Relu6 => Unary(op, output, Activation.Relu6),
                TfliteOp.Quantize => throw Fail(op, "QUANTIZE: int8-quantised models are not supported (use a float32 or float16 model)"),
                _ => throw Fail(op, $"op {op.OpName} is not supported"),
            };
            CheckDeclared(op, output, result.Dims);
            _runtime[output.Index] = result;
        }
        catch (InvalidGraphException e)
        {
            throw Fail(op, e.Message);
        }
    }

    private void Dequantize(TfliteOperator op, TfliteTensor output)
    {
        var input = Tensor(op, 0);
        if (_runtime.ContainsKey(input.Index))
            throw Fail(op, $"DEQUANTIZE of the run-time tensor {input.Describe}: int8-quantised models are not supported");
        if (input.Type != TfliteSchema.Float16)
            throw Fail(op, $"DEQUANTIZE of {input.Describe}: only FLOAT16 weights are supported (int8-quantised models are not)");
        _floats[output.Index] = model.Floats(input, p => Fail(op, p)) ?? throw Fail(op, $"DEQUANTIZE input {input.Describe} has no data");
    }

    private ForeignTensor Conv(TfliteOperator op, TfliteTensor output, bool depthwise)
    {
        var x = Input4(op, 0);
        var filter = Tensor(op, 1);
        var w = Constant(op, 1, "filter");
        var bias = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? Constant(op, 2, "bias") : null;
        var o = Options(op);
        if (filter.Shape.Length != 4) throw Fail(op, $"filter {filter.Describe} is not rank 4");
        int c = x.Value.Shape.C, kh = filter.Shape[1], kw = filter.Shape[2];
        int sh = o.Int(depthwise ? TfliteSchema.DwStrideH : TfliteSchema.ConvStrideH);
        int sw = o.Int(depthwise ? TfliteSchema.DwStrideW : TfliteSchema.ConvStrideW);
        int dh = o.Int(depthwise ? TfliteSchema.DwDilationH : TfliteSchema.ConvDilationH, 1);
        int dw = o.Int(depthwise ? TfliteSchema.DwDilationW : TfliteSchema.ConvDilationW, 1);
        var act = FusedActivation(op, o.Byte(depthwise ? TfliteSchema.DwActivation : TfliteSchema.ConvActivation));
        byte padding = o.Byte(depthwise ? TfliteSchema.DwPadding : TfliteSchema.ConvPadding);
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || kh > 64 || kw > 64 || dh > 64 || dw > 64)
            throw Fail(op, $"filter {kh}x{kw}, stride {sh}x{sw}, dilation {dh}x{dw} is not a valid window");
        int outC, groups;
        float[] weights;
        if (depthwise)
        {
            // Filter [1, KH, KW, C * M]: output channel c * M + m reads input channel c (what groups = C does).
            outC = filter.Shape[3];
            if (filter.Shape[0] != 1 || outC % c != 0)
                throw Fail(op, $"filter {filter.Describe} does not fit input channels {c}");
            groups = c;
            weights = new float[(long)outC * kh * kw];
            for (int oc = 0; oc < outC; oc++)
                for (int i = 0; i < kh * kw; i++)
                    weights[oc * kh * kw + i] = w[i * outC + oc];
        }
        else
        {
            // Filter [O, KH, KW, I] (OHWI) becomes our [O, I, KH, KW].
            outC = filter.Shape[0];
            if (filter.Shape[3] != c) throw Fail(op, $"filter {filter.Describe} does not fit input channels {c}");
            groups = 1;
            weights = new float[w.Length];
            for (int oc = 0; oc < outC; oc++)
                for (int i = 0; i < kh * kw; i++)
                    for (int ic = 0; ic < c; ic++)
                        weights[((long)oc * c + ic) * kh * kw + i] = w[((long)oc * kh * kw + i) * c + ic];
        }
        if (bias is not null && bias.Length != outC) throw Fail(op, $"bias has {bias.Length} values for {outC} output channels");
        (weights, kh, kw) = Dilate(weights, outC * (c / groups), kh, kw, dh, dw);
        var pad = Pads(op, padding, x.Value.Shape, kh, kw, sh, sw);
        var y = builder.Conv2d(Name(output), x.Value, outC, kh, kw, sh, sw, pad, groups, weights, bias, act);
        return ForeignTensor.ChannelsLast(y);
    }

    /// <summary>A dilated filter as a plain one with zeros between its taps (MobileNet heads rarely dilate).</summary>
    private static (float[] Weights, int KH, int KW) Dilate(float[] w, int filters, int kh, int kw, int dh, int dw)
    {
        if (dh == 1 && dw == 1) return (w, kh, kw);
        int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
        var result = new float[(long)filters * eh * ew];
        for (int f = 0; f < filters; f++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    result[((long)f * eh + i * dh) * ew + j * dw] = w[((long)f * kh + i) * kw + j];
        return (result, eh, ew);
    }

    private ForeignTensor Elementwise(TfliteOperator op, TfliteTensor output, bool multiply)
    {
        if (op.Inputs.Length != 2) throw Fail(op, $"{op.OpName} needs 2 inputs, has {op.Inputs.Length}");
        var act = FusedActivation(op, Options(op, required: false)?.Byte(TfliteSchema.ElementwiseActivation) ?? TfliteSchema.ActNone);
        bool aRun = _runtime.TryGetValue(op.Inputs[0], out var a), bRun = _runtime.TryGetValue(op.Inputs[1], out var b);
        string name = Name(output);
        if (aRun && bRun)
        {
            if (a!.RowMajor != b!.RowMajor) (a, b) = (ToNchw(a, name), ToNchw(b, name));
            if (!a!.Dims.SequenceEqual(b!.Dims))
                throw Fail(op, $"inputs [{string.Join(", ", a.Dims)}] and [{string.Join(", ", b.Dims)}] differ; broadcasting two run-time tensors is not supported");
            if (!multiply) return a with { Value = builder.Add(name, a.Value, b.Value, act) };
            var product = builder.Mul(act == Activation.None ? name : Unique(name + "/mul"), a.Value, b.Value);
            return a with { Value = act == Activation.None ? product : builder.Activate(name, product, act) };
        }
        if (!aRun && !bRun) throw Fail(op, $"{op.OpName} of two constants (constant folding) is not supported");
        var x = aRun ? a! : b!;
        if (x.Dims.Length == 4) x = ToNchw(x, name);
        int constIndex = aRun ? 1 : 0;
        var k = Constant(op, constIndex, "operand");
        int ch = x.Value.Shape.C;
        // A scalar, or one value per channel of a [1, H, W, C] / [1, F] tensor, is a per-channel affine op.
        float[] perChannel = k.Length == 1 ? Enumerable.Repeat(k[0], ch).ToArray()
            : k.Length == ch && (x.Dims.Length == 4 || x.Dims.Length == 2) && Tensor(op, constIndex).Shape[^1] == ch ? k
            : throw Fail(op, $"constant {Tensor(op, constIndex).Describe} does not broadcast per channel over [{string.Join(", ", x.Dims)}]");
        float[] Fill(float v) => Enumerable.Repeat(v, ch).ToArray();
        string affine = act == Activation.None ? name : Unique(name + "/affine");
        var y = multiply
            ? builder.BatchNorm(affine, x.Value, perChannel, Fill(0), Fill(0), Fill(1), 0f)
            : builder.BatchNorm(affine, x.Value, Fill(1), perChannel, Fill(0), Fill(1), 0f);
        return x with { Value = act == Activation.None ? y : builder.Activate(name, y, act) };
    }

    private ForeignTensor Unary(TfliteOperator op, TfliteTensor output, Activation act)
    {
        var x = RuntimeInput(op, 0);
        return x with { Value = builder.Activate(Name(output), x.Value, act) };
    }

    private ForeignTensor HardSwish(TfliteOperator op, TfliteTensor output)
    {
        var x = RuntimeInput(op, 0);
        return x with { Value = Decompositions.HardSwish(builder, x.Value, Name(output)) };
    }
}
