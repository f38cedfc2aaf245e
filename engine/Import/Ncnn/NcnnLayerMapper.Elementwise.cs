using GpuMobileNet.Graph;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Ncnn;

// Activations, BinaryOp and Eltwise. Shapes ncnn broadcasts that our ops lack are built from affine BatchNorms (a
// scale and shift per channel that the passes fold) and products.
internal sealed partial class NcnnLayerMapper
{
    private const int Add = 0, Sub = 1, Mul = 2, Div = 3, RSub = 7, RDiv = 8;

    private bool MapElementwise(NcnnLayer layer)
    {
        var p = layer.Params;
        switch (layer.Type)
        {
            case "ReLU": Need(1); SetLike(Activated(RuntimeIn(0), 2, [p.Float(0, 0f)])); break;
            case "Sigmoid": Need(1); SetLike(builder.Activate(Name(), RuntimeIn(0), Activation.Sigmoid)); break;
            case "Clip": Need(1); SetLike(Activated(RuntimeIn(0), 3, [p.Float(0, float.MinValue), p.Float(1, float.MaxValue)])); break;
            case "Swish": Need(1); SetLike(builder.Mul(Name(), RuntimeIn(0), builder.Activate(Name("sigmoid"), RuntimeIn(0), Activation.Sigmoid))); break;
            case "HardSigmoid": Need(1); SetLike(HardSigmoid(RuntimeIn(0), p.Float(0, 0.2f), p.Float(1, 0.5f), Name())); break;
            case "HardSwish": Need(1); SetLike(Activated(RuntimeIn(0), 6, [p.Float(0, 0.2f), p.Float(1, 0.5f)])); break;
            case "BinaryOp": BinaryOp(p); break;
            case "Eltwise": Eltwise(p); break;
            default: return false;
        }
        return true;
    }

    /// <summary>Sets the layer's top to <paramref name="y"/>, of the same ncnn rank as its first input.</summary>
    private void SetLike(Value y) => Set(y, In(0).Dims);

    /// <summary>The activation a conv or dense op can apply itself, or null (0 none, 1 ReLU, 2 leaky ReLU of slope 0 or
    /// 0.1, 3 clip to [0, 6], 4 sigmoid, 6 h-swish with MobileNetV3's 1/6 and 1/2 or ncnn's default 1/5 and 1/2).</summary>
    private static Activation? Fusable(int type, float[] a) => type switch
    {
        0 => Activation.None,
        1 => Activation.Relu,
        2 when a is [] or [0f] => Activation.Relu,
        2 when a is [ActivationMath.LeakySlope] => Activation.LeakyRelu,
        3 when a is [0f, 6f] => Activation.Relu6,
        4 => Activation.Sigmoid,
        6 when a.Length == 2 && Math.Abs(a[0] - 1f / 6) < 1e-6 && a[1] == 0.5f => Activation.HardSwish,
        6 when a.Length == 2 && Math.Abs(a[0] - 0.2f) < 1e-6 && a[1] == 0.5f => Activation.KerasHardSwish,
        _ => null,
    };

    /// <summary>ncnn activation <paramref name="type"/> with its parameters applied to <paramref name="x"/> as separate
    /// ops: 2 leaky ReLU (slope), 3 clip (min, max), 6 h-swish x * clamp(alpha x + beta, 0, 1).</summary>
    private Value Activated(Value x, int type, float[] a)
    {
        if (Fusable(type, a) is { } act) return builder.Activate(Name(), x, act);
        switch (type)
        {
            case 2: return Leaky(x, a.Length > 0 ? a[0] : 0f);
            case 3 when a.Length == 2 && a[0] <= a[1]:
                // clamp(x, lo, hi) = lo + (hi - lo) / 6 * relu6(6 (x - lo) / (hi - lo)), or a ReLU above lo alone.
                if (a[1] >= float.MaxValue / 2)
                    return Affine(Name(), builder.Activate(Name("relu"), Affine(Name("shift"), x, 1f, -a[0]), Activation.Relu), 1f, a[0]);
                float range = a[1] - a[0];
                var inner = Affine(Name("scale"), x, 6 / range, -a[0] * 6 / range);
                return Affine(Name(), builder.Activate(Name("relu6"), inner, Activation.Relu6), range / 6, a[0]);
            case 6 when a.Length == 2: return builder.Mul(Name(), x, HardSigmoid(x, a[0], a[1], Name("gate")));
            default: throw Fail($"activation type {type} with parameters [{string.Join(", ", a)}] is not supported");
        }
    }

    // clamp(alpha x + beta, 0, 1) = relu6(6 alpha x + 6 beta) / 6; ours directly for (1/6, 1/2) and (1/5, 1/2).
    private Value HardSigmoid(Value x, float alpha, float beta, string name)
    {
        if (Decompositions.HardSigmoidActivation(alpha, beta) is { } act) return builder.Activate(name, x, act);
        var inner = Affine(Name("scale"), x, 6 * alpha, 6 * beta);
        return Affine(name, builder.Activate(Name("relu6"), inner, Activation.Relu6), 1f / 6, 0f);
    }

    // leaky(x) = slope x + (1 - slope) relu(x).
    private Value Leaky(Value x, float slope)
    {
        var positive = Affine(Name("positive"), builder.Activate(Name("relu"), x, Activation.Relu), 1 - slope, 0f);
        return builder.Add(Name(), Affine(Name("slope"), x, slope, 0f), positive);
    }

    /// <summary>scale * x + shift per channel, as a BatchNorm with mean 0, variance 1, epsilon 0.</summary>
    private Value Affine(string name, Value x, float[] scale, float[] shift) =>
        builder.BatchNorm(name, x, scale, shift, new float[x.Shape.C], Enumerable.Repeat(1f, x.Shape.C).ToArray(), 0f);

    private Value Affine(string name, Value x, float scale, float shift) =>
        Affine(name, x, Enumerable.Repeat(scale, x.Shape.C).ToArray(), Enumerable.Repeat(shift, x.Shape.C).ToArray());

    private void Eltwise(NcnnParams p)
    {
        if (_layer.Bottoms.Count < 2 || _layer.Tops.Count != 1) throw Fail("needs at least two inputs and one output");
        int op = p.Int(0, 1);
        var coeffs = p.Floats(1);
        if (op is not (0 or 1)) throw Fail($"operation {op} is not supported (0 product, 1 sum)");
        if (coeffs.Length != 0 && (op != 1 || coeffs.Length != _layer.Bottoms.Count))
            throw Fail($"{coeffs.Length} coefficients for {_layer.Bottoms.Count} inputs");
        Value Term(int i) => coeffs.Length == 0 || coeffs[i] == 1f ? RuntimeIn(i) : Affine(Name($"coeff{i}"), RuntimeIn(i), coeffs[i], 0f);
        var y = Term(0);
        for (int i = 1; i < _layer.Bottoms.Count; i++)
        {
            string name = i == _layer.Bottoms.Count - 1 ? Name() : Name("partial");
            y = op == 0 ? builder.Mul(name, y, RuntimeIn(i)) : builder.Add(name, y, Term(i));
        }
        Set(y, In(0).Dims);
    }

    private void BinaryOp(NcnnParams p)
    {
        int op = p.Int(0, 0);
        if (p.Int(1, 0) != 0)
        {
            Need(1);
            SetLike(WithConstant(RuntimeIn(0), op, [p.Float(2, 0f)], false));
            return;
        }
        Need(2);
        NcnnTensor a = In(0), b = In(1);
        if (a.Value is null && b.Value is null) throw Fail("both inputs are constants");
        if (a.Value is null || b.Value is null)
        {
            var (x, c) = a.Value is null ? (b, a) : (a, b);
            Set(WithConstant(x.Value!, op, c.Constant!, a.Value is null), x.Dims);
            return;
        }
        Set(TwoTensors(a, b, op), Math.Max(a.Dims, b.Dims));
    }

    // a op b for two run-time tensors: same shapes (add, sub, mul), or a per-channel factor (mul).
    private Value TwoTensors(NcnnTensor a, NcnnTensor b, int op)
    {
        var (sa, sb) = (a.Value!.Shape, b.Value!.Shape);
        if (op == Mul && sa.H * sa.W < sb.H * sb.W) (a, b, sa, sb) = (b, a, sb, sa);
        bool perChannel = sb == new TensorShape(sa.C, 1, 1) && a.Dims == 3;
        if (op == Mul && (sa == sb || perChannel)) return builder.Mul(Name(), a.Value, b.Value!);
        if (sa != sb || a.Dims != b.Dims) throw Fail($"operation {op} on {Describe(a)} and {Describe(b)} (a broadcast) is not supported");
        return op switch
        {
            Add => builder.Add(Name(), a.Value, b.Value!),
            Sub => builder.Add(Name(), a.Value, Affine(Name("negate"), b.Value!, -1f, 0f)),
            _ => throw Fail($"operation {op} of two run-time tensors is not supported (0 add, 1 sub, 2 mul)"),
        };
    }

    // x op c (or c op x when constantFirst) for a scalar or per-channel constant c, as an affine map.
    private Value WithConstant(Value x, int op, float[] c, bool constantFirst)
    {
        int ch = x.Shape.C;
        if (c.Length != 1 && c.Length != ch) throw Fail($"a constant of {c.Length} values does not broadcast over {x.Shape}");
        if (constantFirst && op is Sub or Div) op = op == Sub ? RSub : RDiv;
        var scale = new float[ch];
        var shift = new float[ch];
        for (int i = 0; i < ch; i++)
        {
            float k = c[c.Length == 1 ? 0 : i];
            (scale[i], shift[i]) = op switch
            {
                Add => (1f, k),
                Sub => (1f, -k),
                Mul => (k, 0f),
                Div when k != 0 => (1f / k, 0f),
                RSub => (-1f, k),
                _ => throw Fail($"operation {op} with a constant is not supported (add, sub, mul, div by a non-zero, reverse sub)"),
            };
        }
        return Affine(Name(), x, scale, shift);
    }

    private static string Describe(NcnnTensor t) => $"[{string.Join(", ", t.Axes)}]";
}
