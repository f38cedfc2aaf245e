using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Onnx;

/// <summary>ReduceMean over any of the channel and spatial axes, built from ops we already run: H and W together are a
/// global average pool, H or W alone an average pool one row or column wide, and C a 1x1 convolution whose weights are
/// all 1/C. The batch axis stays.</summary>
internal sealed partial class OnnxOpMapper
{
    private ForeignTensor ReduceMean(OnnxNode n, ForeignTensor x, object?[] inputs)
    {
        long[] dims = x.Dims;
        long[]? axes = n.Opset >= 18 ? (inputs.Length > 1 ? inputs[1] as OnnxTensor : null)?.AsLongs() : n.Ints("axes");
        if (n.Opset >= 18 && inputs.Length > 1 && inputs[1] is ForeignTensor) throw n.Fail("axes must be known at load time");
        if (axes is null || axes.Length == 0)
        {
            if (n.Int("noop_with_empty_axes", 0) != 0) return x;
            axes = Enumerable.Range(0, dims.Length).Select(a => (long)a).ToArray();
        }
        var reduced = axes.Select(a => OnnxConstantFolder.Axis(a, dims.Length, n)).ToHashSet();
        // The batch is the session's, unknown here: one sample's mean is not the batch's.
        if (reduced.Contains(0))
            throw n.Fail($"reducing the batch axis of [{string.Join(", ", dims)}] is not supported (axes [{string.Join(", ", axes)}])");
        string name = Prefix(n);
        var v = x.Value;
        // ONNX axes 1, 2, 3 are our C, H, W: a [N, A, B] view is held as A x B x 1 for the reduction.
        if (x.RowMajor)
        {
            if (dims.Length != 3) throw n.Fail($"ReduceMean of [{string.Join(", ", dims)}] is not supported (only ranks 2 to 4)");
            var planes = new Tensors.TensorShape((int)dims[1], (int)dims[2], 1);
            if (planes != v.Shape) v = builder.Reshape(Unique(name + "/planes"), v, planes);
        }
        var s = v.Shape;
        bool h = reduced.Contains(2) && s.H > 1, w = reduced.Contains(3) && s.W > 1;
        if (h || w) v = builder.AvgPool(Unique(name + "/pool"), v, h ? s.H : 1, w ? s.W : 1, 1, 1, Padding.Zero);
        if (reduced.Contains(1) && s.C > 1)
            v = builder.Conv2d(Unique(name + "/channels"), v, 1, 1, 1, Padding.Zero, 1, Enumerable.Repeat(1f / s.C, s.C).ToArray());
        var kept = ForeignTensor.ChannelsFirst(v, 4);
        if (n.Int("keepdims", 1) != 0) return View(n, kept, dims.Select((d, i) => reduced.Contains(i) ? 1 : d).ToArray());
        // Dims without the reduced axes; reducing every axis leaves a scalar, held as [1, 1].
        var left = dims.Where((_, i) => !reduced.Contains(i)).ToArray();
        return View(n, kept, left.Length == 0 ? [1, 1] : left.Length == 1 ? [1, left[0]] : left);
    }
}

/// <summary>Softmax on any axis but the batch's: the sample, row-major, is [outer, axis, inner] (opsets before 13 take
/// the axis and every axis after it as one).</summary>
internal sealed partial class OnnxOpMapper
{
    private ForeignTensor AxisSoftmax(OnnxNode n, ForeignTensor x, long axis)
    {
        long[] dims = x.Dims;
        int a = OnnxConstantFolder.Axis(axis, dims.Length, n);
        if (a == 0) throw n.Fail($"softmax over axis {axis} (the batch) of [{string.Join(", ", dims)}] is not supported");
        long Product(int from, int to) => dims[from..to].Aggregate(1L, (p, d) => p * d);
        long outer = Product(1, a), along = n.Opset >= 13 ? dims[a] : Product(a, dims.Length), inner = n.Opset >= 13 ? Product(a + 1, dims.Length) : 1;
        return x with { Value = builder.AxisSoftmax(Name(n), x.Value, (int)outer, (int)along, (int)inner) };
    }
}
