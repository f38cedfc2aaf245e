using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Turns Transpose(P) → softmax along one axis → Transpose(P⁻¹) into one softmax along the matching axis of the
/// untransposed tensor: what ONNX and ncnn exports write for a softmax over the channels of each pixel (yolo-fastestv2's
/// class heads: permute, softmax, permute back). Softmax along an axis does not care where that axis lies in memory, so
/// the two transposes (two copies of the tensor) go and the softmax reads and writes the original order.</summary>
internal static class FoldTransposedSoftmax
{
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node?>();
        foreach (var node in g.Nodes)
        {
            if (node is not TransposeOp back || uses.SoleConsumer(back.Input) is null || !producer.TryGetValue(back.Input, out var s)) continue;
            if (s is not AxisSoftmaxOp softmax || uses.SoleConsumer(softmax.Input) is null) continue;
            if (!producer.TryGetValue(softmax.Input, out var t) || t is not TransposeOp forth || !Inverse(forth.Perm, back.Perm)) continue;
            if (AxisOf(softmax, forth.Output.Shape) is not { } k) continue;
            var (outer, axis, inner) = Split(forth.Input.Shape, forth.Perm[k]);
            replaced[forth] = null;
            replaced[softmax] = null;
            replaced[back] = new AxisSoftmaxOp(softmax.Name, forth.Input, back.Output, outer, axis, inner);
        }
        return g.Replacing(replaced);
    }

    // Whether Q undoes P: output axis i of Q over P's output is P's input axis P[Q[i]].
    private static bool Inverse(int[] p, int[] q) => Enumerable.Range(0, 3).All(i => p[q[i]] == i);

    /// <summary>Which of the (C, H, W) axes of <paramref name="shape"/> the softmax's [outer, axis, inner] runs along,
    /// or null when it spans several (ONNX before opset 13 flattens the trailing axes).</summary>
    internal static int? AxisOf(AxisSoftmaxOp softmax, Tensors.TensorShape shape)
    {
        for (int k = 0; k < 3; k++)
            if (Split(shape, k) == (softmax.Outer, softmax.Axis, softmax.Inner)) return k;
        return null;
    }

    /// <summary>Axis <paramref name="k"/> of (C, H, W) as row-major [outer, axis, inner].</summary>
    internal static (int Outer, int Axis, int Inner) Split(Tensors.TensorShape shape, int k)
    {
        int[] d = [shape.C, shape.H, shape.W];
        return (d[..k].Aggregate(1, (a, b) => a * b), d[k], d[(k + 1)..].Aggregate(1, (a, b) => a * b));
    }
}
