using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Onnx;

/// <summary>The mappings that only move data: reshapes (free aliases or views), channel concatenation, renaming.</summary>
internal sealed partial class OnnxOpMapper
{
    /// <summary>A reshape of a run-time tensor: NCHW memory order is kept, so [1, C, H, W] and [1, C] targets get a value
    /// of that shape (an alias, no copy) and any other [1, ...] target becomes a view of the same memory.</summary>
    private ForeignTensor View(OnnxNode n, ForeignTensor x, long[] dims)
    {
        if (dims.SequenceEqual(x.Dims)) return x;
        if (dims.Length < 2 || dims[0] != 1)
            throw n.Fail($"reshaping [{string.Join(", ", x.Dims)}] to [{string.Join(", ", dims)}] is not supported (the batch axis must stay first)");
        var shape = dims.Length switch
        {
            4 => new Tensors.TensorShape((int)dims[1], (int)dims[2], (int)dims[3]),
            2 => new Tensors.TensorShape((int)dims[1], 1, 1),
            _ => x.Value.Shape,
        };
        var v = shape == x.Value.Shape ? x.Value : builder.Reshape(Name(n), x.Value, shape);
        return dims.Length is 2 or 4 ? ForeignTensor.ChannelsFirst(v, dims.Length) : new(v, dims, RowMajor: true);
    }

    /// <summary>Concat on the channel axis of [N, C, H, W] tensors (constant parts must be zeros), or on axis 1 of
    /// views (memory concatenation per sample).</summary>
    private ForeignTensor Concat(OnnxNode n, object?[] inputs)
    {
        var first = inputs.OfType<ForeignTensor>().First();
        int rank = first.Dims.Length;
        if (OnnxConstantFolder.Axis(n.Int("axis", 0), rank, n) != 1)
            throw n.Fail($"concatenation on axis {n.Int("axis", 0)} of [{string.Join(", ", first.Dims)}] is not supported (only axis 1)");
        var parts = new List<Value?>();
        var channels = new List<int>();
        foreach (var input in inputs)
        {
            var dims = input switch
            {
                ForeignTensor r => r.Dims,
                OnnxTensor t when t.All(0) => t.Dims,
                OnnxTensor => throw n.Fail("a constant part that is not all zeros is not supported"),
                _ => throw n.Fail("an input is missing"),
            };
            if (dims.Length != rank || Enumerable.Range(2, rank - 2).Any(i => dims[i] != first.Dims[i]) || dims[0] != 1)
                throw n.Fail($"parts [{string.Join(", ", first.Dims)}] and [{string.Join(", ", dims)}] do not concatenate on axis 1");
            long inner = dims.Skip(1).Aggregate(1L, (a, b) => a * b) / (!first.RowMajor ? first.Value.Shape.H * first.Value.Shape.W : 1);
            if (input is ForeignTensor rt)
            {
                if (rt.RowMajor != first.RowMajor) throw n.Fail("mixing views and [N, C, H, W] tensors is not supported");
                parts.Add(!rt.RowMajor ? rt.Value : builder.Reshape(Unique(rt.Value.Name + "/flat"), rt.Value, new Tensors.TensorShape(rt.Value.Shape.Elements, 1, 1)));
            }
            else parts.Add(null);
            channels.Add(checked((int)inner));
        }
        var y = builder.Concat(Name(n), parts, channels);
        if (!first.RowMajor) return ForeignTensor.ChannelsFirst(y, rank);
        var viewDims = first.Dims.ToArray();
        viewDims[1] = inputs.Sum(i => i is ForeignTensor r ? r.Dims[1] : ((OnnxTensor)i!).Dims[1]);
        return new(y, viewDims, RowMajor: true);
    }

    /// <summary>A copy-free alias of <paramref name="v"/> named <paramref name="name"/> (an output named after an ONNX tensor).</summary>
    public Value Rename(Value v, string name) => builder.Reshape(Unique(name), v, v.Shape);
}
