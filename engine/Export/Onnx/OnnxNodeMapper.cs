using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Export.Onnx;

/// <summary>Writes the ONNX (opset 13) nodes for one of our ops. Every mapping reproduces what
/// <see cref="Runtime.ReferenceExecutor"/> computes, since that is what the exported model is checked against.</summary>
internal static partial class OnnxNodeMapper
{
    public static void Map(Node node, OnnxGraphWriter w)
    {
        switch (node)
        {
            case Conv2dOp c: Conv(c, w); break;
            case FusedBlockOp f: foreach (var part in f.Parts) Conv(part, w); break; // ONNX has no fused block: export its parts
            case BatchNormOp bn: BatchNorm(bn, w); break;
            case ActivationOp a:
            {
                OnnxGraphWriter.CheckActivation(a.Activation, a);
                int rank = w.RankOf(a.Input);
                w.Activate(a.Activation, a.Name, w.Tensor(a.Input, rank), w.Define(a.Output, rank), a);
                break;
            }
            case AddOp add: Add(add, w); break;
            case PadOp p: Pad(p, w); break;
            case AvgPoolOp pool: AvgPool(pool, w); break;
            case FlattenOp f:
                w.AddNode("Flatten", f.Name, [w.Tensor(f.Input, w.RankOf(f.Input))], w.Define(f.Output, 2), Attr.Int("axis", 1));
                break;
            case DenseOp d: Dense(d, w); break;
            case SoftmaxOp s: Softmax(s, w); break;
            case ConcatOp c: Concat(c, w); break;
            case SliceChannelsOp sc: SliceChannels(sc, w); break;
            case ChannelShuffleOp cs: ChannelShuffle(cs, w); break;
            case MaxPoolOp p: MaxPool(p, w); break;
            case MulOp m: Mul(m, w); break;
            case LrnOp l:
                w.AddNode("LRN", l.Name, [w.Tensor(l.Input, 4)], w.Define(l.Output, 4),
                    Attr.Int("size", l.Size), Attr.Float("alpha", l.Alpha), Attr.Float("beta", l.Beta), Attr.Float("bias", l.Bias));
                break;
            case ShuffledConcatOp sc:
            {
                var joined = new Value($"{sc.Name}/concat", sc.Output.Shape);
                Concat(new ConcatOp(sc.Name, sc.Parts.ToList<Value?>(), sc.Parts.Select(x => x.Shape.C).ToList(), joined), w);
                ChannelShuffle(new ChannelShuffleOp($"{sc.Name}_shuffle", joined, sc.Output, sc.Groups), w);
                break;
            }
            case ShuffledReadConvOp s:
                ChannelShuffle(new ChannelShuffleOp($"{s.Name}_shuffle", s.Input, s.Conv.Input, s.ShuffleGroups), w);
                Conv(s.Conv, w);
                break;
            case GatedPointwiseOp g:
            {
                // ONNX has no gated read: the product, then the convolution on it.
                var scaled = new Value($"{g.Name}/gated_input", g.Conv.Input.Shape, g.Conv.Input.Layout);
                Mul(new MulOp($"{g.Name}/gate", g.Conv.Input, g.Gate, scaled), w);
                Conv(g.Conv with { Input = scaled }, w);
                break;
            }
            default:
                throw new NotSupportedException(
                    $"ONNX export: {node} ({node.GetType().Name}) has no ONNX mapping; supported ops are " +
                    "Conv2d, BatchNorm, Activation, Add, Pad, AvgPool, Flatten, Dense, Softmax, Concat, SliceChannels, ChannelShuffle, MaxPool, Mul, LRN and GatedPointwise");
        }
    }

    private static void Conv(Conv2dOp c, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(c.Activation, c);
        string weights = w.AddFloatInitializer($"{c.Name}.weight", c.Weights, c.OutC, c.InC / c.Groups, c.KernelH, c.KernelW);
        var inputs = new List<string> { w.Tensor(c.Input, 4), weights };
        if (c.Bias is not null)
            inputs.Add(w.AddFloatInitializer($"{c.Name}.bias", c.Bias, c.OutC));

        bool tail = c.Residual is not null || c.Activation != Activation.None;
        string output = w.Define(c.Output, 4);
        string conv = tail ? w.Temp($"{c.Name}_conv") : output;
        w.AddNode("Conv", c.Name, inputs, conv,
            Attr.Ints("kernel_shape", c.KernelH, c.KernelW),
            Attr.Ints("strides", c.StrideH, c.StrideW),
            Attr.Ints("pads", Pads(c.Pad)),
            Attr.Ints("dilations", c.DilationH, c.DilationW),
            Attr.Int("group", c.Groups));

        // Our fused conv is act(conv + bias + residual): the residual joins before the activation.
        if (c.Residual is not null)
        {
            string sum = c.Activation == Activation.None ? output : w.Temp($"{c.Name}_residual");
            w.AddNode("Add", $"{c.Name}_residual", [conv, w.Tensor(c.Residual, 4)], sum);
            conv = sum;
        }
        if (c.Activation != Activation.None)
            w.Activate(c.Activation, $"{c.Name}_act", conv, output, c);
    }

    private static void BatchNorm(BatchNormOp bn, OnnxGraphWriter w)
    {
        int ch = bn.Input.Shape.C;
        w.AddNode("BatchNormalization", bn.Name,
            [
                w.Tensor(bn.Input, 4),
                w.AddFloatInitializer($"{bn.Name}.gamma", bn.Gamma, ch),
                w.AddFloatInitializer($"{bn.Name}.beta", bn.Beta, ch),
                w.AddFloatInitializer($"{bn.Name}.mean", bn.Mean, ch),
                w.AddFloatInitializer($"{bn.Name}.variance", bn.Variance, ch),
            ],
            w.Define(bn.Output, 4),
            Attr.Float("epsilon", bn.Epsilon));
    }

    private static void Add(AddOp add, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(add.Activation, add);
        // Both sides must have the same rank or ONNX broadcasting would pair the wrong axes.
        int rank = w.RankOf(add.A) == 2 && w.RankOf(add.B) == 2 ? 2 : 4;
        string output = w.Define(add.Output, rank);
        string sum = add.Activation == Activation.None ? output : w.Temp($"{add.Name}_sum");
        w.AddNode("Add", add.Name, [w.Tensor(add.A, rank), w.Tensor(add.B, rank)], sum);
        if (add.Activation != Activation.None)
            w.Activate(add.Activation, $"{add.Name}_act", sum, output, add);
    }

    private static void Mul(MulOp m, OnnxGraphWriter w)
    {
        // A channel gate (C x 1 x 1) broadcasts over H and W as [N, C, 1, 1] against [N, C, H, W]: both rank 4.
        int rank = !m.IsChannelBroadcast && w.RankOf(m.A) == 2 && w.RankOf(m.B) == 2 ? 2 : 4;
        w.AddNode("Mul", m.Name, [w.Tensor(m.A, rank), w.Tensor(m.B, rank)], w.Define(m.Output, rank));
    }

    private static void Pad(PadOp p, OnnxGraphWriter w)
    {
        // Opset 11+ Pad takes the pads as an int64 input: all begins (N, C, H, W), then all ends. Mode defaults to zeros.
        var pads = w.AddInt64Initializer($"{p.Name}.pads", [0, 0, p.Pad.Top, p.Pad.Left, 0, 0, p.Pad.Bottom, p.Pad.Right]);
        w.AddNode("Pad", p.Name, [w.Tensor(p.Input, 4), pads], w.Define(p.Output, 4));
    }

    private static void AvgPool(AvgPoolOp pool, OnnxGraphWriter w)
    {
        string input = w.Tensor(pool.Input, 4), output = w.Define(pool.Output, 4);
        // With padding, a whole-input window no longer covers exactly the input, so only the unpadded case is global.
        if (pool.IsGlobal && pool.Pad.IsZero)
        {
            w.AddNode("GlobalAveragePool", pool.Name, [input], output);
            return;
        }
        w.AddNode("AveragePool", pool.Name, [input], output,
            Attr.Ints("kernel_shape", pool.KernelH, pool.KernelW),
            Attr.Ints("strides", pool.StrideH, pool.StrideW),
            Attr.Ints("pads", Pads(pool.Pad)),
            // Our pool averages over the real pixels only (Keras semantics).
            Attr.Int("count_include_pad", 0));
    }

    private static void Dense(DenseOp d, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(d.Activation, d);
        var inputs = new List<string>
        {
            // Builders feed Dense straight from a pooled C x 1 x 1 value; Gemm needs [N, In].
            w.Tensor(d.Input, 2),
            w.AddFloatInitializer($"{d.Name}.weight", d.Weights, d.OutFeatures, d.InFeatures),
        };
        if (d.Bias is not null)
            inputs.Add(w.AddFloatInitializer($"{d.Name}.bias", d.Bias, d.OutFeatures));
        string output = w.Define(d.Output, 2);
        string gemm = d.Activation == Activation.None ? output : w.Temp($"{d.Name}_gemm");
        // Our weights are [Out, In], so Y = X * W^T.
        w.AddNode("Gemm", d.Name, inputs, gemm, Attr.Int("transB", 1));
        if (d.Activation != Activation.None)
            w.Activate(d.Activation, $"{d.Name}_act", gemm, output, d);
    }

    private static void Softmax(SoftmaxOp s, OnnxGraphWriter w)
    {
        // Ours normalises over channels at each pixel; opset 13 Softmax normalises along the one axis given,
        // so axis 1 is right at either rank. Vectors go as [N, C], the usual classifier output.
        int rank = OnnxGraphWriter.IsVector(s.Input) ? 2 : 4;
        w.AddNode("Softmax", s.Name, [w.Tensor(s.Input, rank)], w.Define(s.Output, rank), Attr.Int("axis", 1));
    }

    /// <summary>ONNX orders pads as all begins then all ends: [H_begin, W_begin, H_end, W_end].</summary>
    private static long[] Pads(Padding p) => [p.Top, p.Left, p.Bottom, p.Right];
}
