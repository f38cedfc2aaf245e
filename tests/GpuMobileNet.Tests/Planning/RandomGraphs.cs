using GpuMobileNet.Graph;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Tests.Planning;

/// <summary>Seeded random DAGs made with <see cref="GraphBuilder"/>: convs (general, pointwise, depthwise, strided),
/// adds of two earlier same-shape values (a value with itself too), activations, pads, flattens, dense and softmax
/// on flat values. Inputs are drawn from recent and old values alike, so values branch, stay alive across others
/// or are never read; half of the graphs go through residual-add fusion so convs with a residual appear.</summary>
internal static class RandomGraphs
{
    public static ModelGraph Create(int seed)
    {
        var rng = new Random(seed);
        var b = new GraphBuilder($"random_{seed}", new TensorShape(rng.Next(1, 9), rng.Next(1, 13), rng.Next(1, 13)));
        var values = new List<Value> { b.Input };
        int nodes = rng.Next(1, 30);
        for (int i = 0; i < nodes; i++)
        {
            // Half the time the newest value (chains, like real nets), otherwise any earlier one (long lives, branches).
            var x = rng.Next(2) == 0 ? values[^1] : values[rng.Next(values.Count)];
            values.Add(Op(b, rng, x, values, $"n{i}"));
        }
        var output = values[rng.Next(1, values.Count)];
        var g = b.Build(output);
        return rng.Next(2) == 0 ? FuseResidualAdd.Apply(g) : g;
    }

    private static Value Op(GraphBuilder b, Random rng, Value x, List<Value> values, string name)
    {
        var s = x.Shape;
        switch (rng.Next(8))
        {
            case 0:
            case 1:
                {
                    int k = rng.Next(2) == 0 ? 1 : 3, stride = rng.Next(1, 3), outC = rng.Next(1, 9);
                    return b.Conv2d(name, x, outC, k, stride, Padding.Symmetric(k / 2), 1, new float[outC * s.C * k * k]);
                }
            case 2:
                return b.Conv2d(name, x, s.C, 3, rng.Next(1, 3), Padding.Symmetric(1), s.C, new float[s.C * 9]);
            case 3:
            case 4:
                {
                    var same = values.Where(v => v.Shape == s).ToList();
                    return b.Add(name, x, same[rng.Next(same.Count)], rng.Next(2) == 0 ? Activation.None : Activation.Relu);
                }
            case 5:
                return b.Activate(name, x, rng.Next(2) == 0 ? Activation.Relu : Activation.Relu6);
            case 6:
                return s.H == 1 && s.W == 1
                    ? FlatOp(b, rng, x, name)
                    : b.Pad(name, x, new Padding(rng.Next(0, 2), rng.Next(0, 2), rng.Next(0, 3), rng.Next(0, 2)));
            default:
                return s.H == 1 && s.W == 1 ? FlatOp(b, rng, x, name) : b.Flatten(name, x);
        }
    }

    private static Value FlatOp(GraphBuilder b, Random rng, Value x, string name)
    {
        int units = rng.Next(1, 12);
        return rng.Next(3) switch
        {
            0 => b.Softmax(name, x),
            1 => b.Flatten(name, x),
            _ => b.Dense(name, x, units, new float[units * x.Shape.C]),
        };
    }
}
