using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Import.Onnx;

// Element-wise mappings: Clip, and Add/Sub/Mul/Div with a scalar, a per-channel constant (as an affine BatchNorm
// that the passes fold) or a second run-time tensor.
internal sealed partial class OnnxOpMapper
{
    /// <summary>clamp(x, lo, hi): ReLU6 and ReLU directly; any other bounds as per-channel affine maps around a
    /// ReLU6 (clamp(x, lo, hi) = lo + (hi - lo) / 6 * relu6(6 (x - lo) / (hi - lo))) or a ReLU for one bound.</summary>
    private ForeignTensor Clip(OnnxNode n, ForeignTensor x, OnnxTensor? min, OnnxTensor? max)
    {
        float lo = n.Opset < 11 ? n.Float("min", float.NegativeInfinity) : min is null ? float.NegativeInfinity : (float)min[0];
        float hi = n.Opset < 11 ? n.Float("max", float.PositiveInfinity) : max is null ? float.PositiveInfinity : (float)max[0];
        if (float.IsNegativeInfinity(lo) && float.IsPositiveInfinity(hi)) return x;
        string name = Name(n);
        if ((lo, hi) == (0f, 6f)) return x with { Value = builder.Activate(name, x.Value, Activation.Relu6) };
        if ((lo, hi) == (0f, float.PositiveInfinity)) return x with { Value = builder.Activate(name, x.Value, Activation.Relu) };
        if (float.IsNaN(lo) || float.IsNaN(hi) || lo > hi) throw n.Fail($"clip to [{lo}, {hi}] is not a range");
        var (first, act, last) = (float.IsInfinity(lo), float.IsInfinity(hi)) switch
        {
            (false, false) => ((Scale: 6 / (hi - lo), Shift: -lo * 6 / (hi - lo)), Activation.Relu6, (Scale: (hi - lo) / 6, Shift: lo)),
            (false, true) => ((1f, -lo), Activation.Relu, (1f, lo)),    // lo + relu(x - lo)
            _ => ((-1f, hi), Activation.Relu, (-1f, hi)),               // hi - relu(hi - x)
        };
        var inner = Affine(Unique(name + "/affine"), x.Value, first.Item1, first.Item2);
        var clipped = builder.Activate(Unique(name + "/clip"), inner, act);
        return x with { Value = Affine(name, clipped, last.Item1, last.Item2) };
    }

    /// <summary>scale * x + shift as a BatchNorm with mean 0, variance 1, epsilon 0.</summary>
    private Value Affine(string name, Value x, float scale, float shift)
    {
        int ch = x.Shape.C;
        return builder.BatchNorm(name, x, Enumerable.Repeat(scale, ch).ToArray(), Enumerable.Repeat(shift, ch).ToArray(), new float[ch], Enumerable.Repeat(1f, ch).ToArray(), 0f);
    }

    /// <summary>Add/Sub/Mul/Div: two run-time tensors of the same shape (Add, Sub; Mul also per channel), or a run-time tensor and a
    /// per-channel or scalar constant, which becomes y = gamma * x + beta as a BatchNorm (mean 0, variance 1, epsilon 0).</summary>
    private ForeignTensor Arithmetic(OnnxNode n, object?[] inputs)
    {
        if (inputs.Length != 2) throw n.Fail($"{inputs.Length} inputs, expected 2");
        if (inputs[0] is ForeignTensor a && inputs[1] is ForeignTensor b)
        {
            if (n.OpType == "Mul")
            {
                // Mul commutes: the full-size factor goes first, a per-channel gate second.
                if (a.Value.Shape.H * a.Value.Shape.W < b.Value.Shape.H * b.Value.Shape.W) (a, b) = (b, a);
                bool gate = b.Rank == 4 && a.Rank == 4 && !a.RowMajor && b.Value.Shape == new Tensors.TensorShape(a.Value.Shape.C, 1, 1);
                if (!gate && (!a.Dims.SequenceEqual(b.Dims) || a.Value.Shape != b.Value.Shape))
                    throw n.Fail($"multiplying [{string.Join(", ", a.Dims)}] by [{string.Join(", ", b.Dims)}] is not supported (same shape or per channel only)");
                return a with { Value = builder.Mul(Name(n), a.Value, b.Value) };
            }
            if (n.OpType is not ("Add" or "Sub")) throw n.Fail($"{n.OpType} of two run-time tensors is not supported");
            if (!a.Dims.SequenceEqual(b.Dims) || a.Value.Shape != b.Value.Shape)
                throw n.Fail($"{(n.OpType == "Add" ? "adding" : "subtracting")} [{string.Join(", ", a.Dims)}] and [{string.Join(", ", b.Dims)}] (broadcast) is not supported");
            // a - b = a + (-1 * b): the negation is an affine BatchNorm, so no kernel of its own.
            string name = Name(n);
            var addend = n.OpType == "Sub" ? Affine(Unique(name + "/negate"), b.Value, -1f, 0f) : b.Value;
            return a with { Value = builder.Add(name, a.Value, addend) };
        }
        bool constantFirst = inputs[0] is OnnxTensor;
        var x = (ForeignTensor)(constantFirst ? inputs[1] : inputs[0])!;
        var c = (OnnxTensor)(constantFirst ? inputs[0] : inputs[1])!;
        int ch = x.Value.Shape.C;
        var k = PerChannel(n, c, x);
        float[] gamma = new float[ch], beta = new float[ch];
        for (int i = 0; i < ch; i++)
        {
            (gamma[i], beta[i]) = (n.OpType, constantFirst) switch
            {
                ("Add", _) => (1f, k[i]),
                ("Sub", false) => (1f, -k[i]),
                ("Sub", true) => (-1f, k[i]),
                ("Mul", _) => (k[i], 0f),
                ("Div", false) => (1f / k[i], 0f),
                _ => throw n.Fail("dividing a constant by a run-time tensor is not supported"),
            };
        }
        return x with { Value = builder.BatchNorm(Name(n), x.Value, gamma, beta, new float[ch], Enumerable.Repeat(1f, ch).ToArray(), 0f) };
    }

    /// <summary>A constant that broadcasts over <paramref name="x"/> per channel (or is a scalar), as one value per channel.</summary>
    private static float[] PerChannel(OnnxNode n, OnnxTensor c, ForeignTensor x)
    {
        int ch = x.Value.Shape.C;
        if (c.Count == 1 && c.Rank <= x.Dims.Length) return Enumerable.Repeat((float)c[0], ch).ToArray();
        if (x.RowMajor) throw n.Fail($"a constant of shape [{string.Join(", ", c.Dims)}] with the view [{string.Join(", ", x.Dims)}] is not supported (only a scalar)");
        // Aligned from the right against [N, C, H, W] or [N, C], the constant's axis that meets channel axis 1.
        int channelAxis = c.Rank - (x.Rank - 1);
        bool ok = c.Rank <= x.Rank && channelAxis >= 0 && c.Dims[channelAxis] == ch
            && c.Dims.Where((_, i) => i != channelAxis).All(d => d == 1);
        if (!ok) throw n.Fail($"a constant of shape [{string.Join(", ", c.Dims)}] with [{string.Join(", ", x.Dims)}] is not supported (only per-channel or scalar)");
        return c.AsFloats();
    }

    private static float[] Vector(OnnxNode n, OnnxTensor t, int length, string what)
    {
        if (t.Count != length || t.Dims.Count(d => d != 1) > 1)
            throw n.Fail($"{what} is [{string.Join(", ", t.Dims)}], expected {length} values");
        return t.AsFloats();
    }
}
