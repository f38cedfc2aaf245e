namespace GpuMobileNet.Import.Onnx;

/// <summary>Evaluates, at load time, nodes whose inputs are all known: the Shape/Gather/Concat/Unsqueeze/Cast
/// arithmetic exporters emit around Reshape, Resize and Pad, plus constant subgraphs left in by converters.
/// Works on small host tensors; element counts are bounded by <see cref="OnnxLimits"/>.</summary>
internal static class OnnxConstantFolder
{
    public static readonly HashSet<string> Ops =
    [
        "Identity", "Constant", "Shape", "Size", "Gather", "Concat", "Unsqueeze", "Squeeze", "Cast", "ConstantOfShape",
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Where",
        "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Floor", "Ceil", "Sqrt", "Min", "Max", "Reshape", "Slice",
        "Range", "Transpose", "Expand", "Flatten", "ReduceProd", "Dropout",
    ];

    /// <summary>The outputs of <paramref name="n"/> given its known inputs (null for an absent optional input).</summary>
    public static OnnxTensor Fold(OnnxNode n, OnnxTensor?[] x)
    {
        OnnxTensor In(int i) => i < x.Length && x[i] is { } t ? t : throw n.Fail($"input {i} is missing");
        switch (n.OpType)
        {
            case "Identity" or "Dropout": return In(0);
            case "Shape":
            {
                var dims = In(0).Dims;
                var (start, end) = (Axis(n.Int("start", 0), dims.Length, n, true), Axis(n.Int("end", dims.Length), dims.Length, n, true));
                return OnnxTensor.Vector(dims[start..Math.Max(start, end)]);
            }
            case "Size": return OnnxTensor.Scalar(In(0).Count);
            case "Cast":
                return OnnxTensorReader.IsFloatType(n.Int("to", 1))
                    ? OnnxTensor.OfFloats(In(0).Dims, In(0).AsFloats())
                    : OnnxTensor.OfInts(In(0).Dims, (long)n.Int("to", 1) == 9 ? In(0).AsLongs().Select(v => v != 0 ? 1L : 0L).ToArray() : In(0).AsLongs());
            case "ConstantOfShape":
            {
                var dims = In(0).AsLongs();
                long count = OnnxLimits.Elements(dims, n.Fail, OnnxLimits.MaxGeneratedElements);
                var value = n.Tensor("value") is { } vp ? OnnxTensorReader.Read(vp, null, n.Fail) : OnnxTensor.OfFloats([], [0f]);
                if (value.Count != 1) throw n.Fail("attribute 'value' must hold one element");
                return value.Like(dims, Enumerable.Repeat(value[0], (int)count).ToArray());
            }
            case "Neg": return Map(In(0), v => -v);
            case "Abs": return Map(In(0), Math.Abs);
            case "Floor": return Map(In(0), Math.Floor);
            case "Ceil": return Map(In(0), Math.Ceiling);
            case "Sqrt": return Map(In(0), Math.Sqrt);
            case "Not": return OnnxTensor.OfInts(In(0).Dims, In(0).AsLongs().Select(v => v == 0 ? 1L : 0L).ToArray());
            case "Add": return Broadcast(n, [In(0), In(1)], v => v[0] + v[1]);
            case "Sub": return Broadcast(n, [In(0), In(1)], v => v[0] - v[1]);
            case "Mul": return Broadcast(n, [In(0), In(1)], v => v[0] * v[1]);
            case "Div":
                if (!In(0).IsFloat && !In(1).IsFloat && !In(1).All(1) && Enumerable.Range(0, (int)In(1).Count).Any(i => In(1)[i] == 0))
                    throw n.Fail("integer division by zero");
                return Broadcast(n, [In(0), In(1)], v => In(0).IsFloat || In(1).IsFloat ? v[0] / v[1] : Math.Truncate(v[0] / v[1]));
            case "Min": return Broadcast(n, x.Select((_, i) => In(i)).ToArray(), v => v.Min());
            case "Max": return Broadcast(n, x.Select((_, i) => In(i)).ToArray(), v => v.Max());
            case "Equal": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] == v[1] ? 1 : 0));
            case "Less": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] < v[1] ? 1 : 0));
            case "Greater": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] > v[1] ? 1 : 0));
            case "LessOrEqual": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] <= v[1] ? 1 : 0));
            case "GreaterOrEqual": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] >= v[1] ? 1 : 0));
            case "And": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] != 0 && v[1] != 0 ? 1 : 0));
            case "Or": return Bool(Broadcast(n, [In(0), In(1)], v => v[0] != 0 || v[1] != 0 ? 1 : 0));
            case "Where": return Broadcast(n, [In(0), In(1), In(2)], v => v[0] != 0 ? v[1] : v[2], like: 1);
            case "Expand":
            {
                var shape = In(1).AsLongs();
                OnnxLimits.Elements(shape, n.Fail, OnnxLimits.MaxGeneratedElements);
                return Broadcast(n, [In(0), OnnxTensor.OfInts(shape, new long[shape.Aggregate(1L, (a, b) => a * b)])], v => v[0]);
            }
            case "Unsqueeze":
            {
                var axes = n.Opset >= 13 && n.Input(1) is not null ? In(1).AsLongs() : n.Ints("axes") ?? throw n.Fail("no axes");
                int rank = In(0).Rank + axes.Length;
                var norm = axes.Select(a => Axis(a, rank, n)).ToHashSet();
                if (norm.Count != axes.Length) throw n.Fail("repeated axes");
                var dims = new List<long>();
                int k = 0;
                for (int i = 0; i < rank; i++) dims.Add(norm.Contains(i) ? 1 : In(0).Dims[k++]);
                return In(0).Reshaped([.. dims]);
            }
            case "Squeeze":
            {
                var axes = n.Opset >= 13 ? (n.Input(1) is not null ? In(1).AsLongs() : null) : n.Ints("axes");
                var d = In(0).Dims;
                var drop = axes is null ? Enumerable.Range(0, d.Length).Where(i => d[i] == 1).ToHashSet() : axes.Select(a => Axis(a, d.Length, n)).ToHashSet();
                if (drop.Any(i => d[i] != 1)) throw n.Fail($"cannot squeeze a dimension that is not 1 in [{string.Join(", ", d)}]");
                return In(0).Reshaped(d.Where((_, i) => !drop.Contains(i)).ToArray());
            }
            case "Flatten":
            {
                var d = In(0).Dims;
                int axis = Axis(n.Int("axis", 1), d.Length, n, true);
                return In(0).Reshaped([d[..axis].Aggregate(1L, (a, b) => a * b), d[axis..].Aggregate(1L, (a, b) => a * b)]);
            }
            case "Reshape": return In(0).Reshaped(ReshapeDims(n, In(0).Dims, In(1).AsLongs(), n.Int("allowzero", 0) != 0));
            case "Concat": return Concat(n, x.Select((_, i) => In(i)).ToArray());
            case "Gather": return Gather(n, In(0), In(1));
            case "Slice": return Slice(n, In(0), SliceParams(n, x));
            case "Transpose": return Transpose(n, In(0), n.Ints("perm"));
            case "Range":
            {
                double start = In(0)[0], limit = In(1)[0], delta = In(2)[0];
                if (delta == 0) throw n.Fail("delta is 0");
                long count = Math.Max((long)Math.Ceiling((limit - start) / delta), 0);
                if (count > OnnxLimits.MaxGeneratedElements) throw n.Fail($"{count} elements is above the limit");
                return In(0).Like([count], Enumerable.Range(0, (int)count).Select(i => start + i * delta).ToArray());
            }
            case "ReduceProd":
            {
                if (In(0).Rank > 1 || n.Int("keepdims", 1) != 0 && In(0).Rank != 1) throw n.Fail("only a 1-D product is folded");
                double p = 1;
                for (long i = 0; i < In(0).Count; i++) p *= In(0)[i];
                return In(0).Like(n.Int("keepdims", 1) != 0 ? [1] : [], [p]);
            }
            default: throw n.Fail("cannot be evaluated at load time");
        }
    }

    /// <summary>Split of a known tensor into the node's outputs (sizes from the attribute, the input, or equal parts).</summary>
    public static OnnxTensor[] Split(OnnxNode n, OnnxTensor?[] x)
    {
        var data = x.Length > 0 && x[0] is { } d ? d : throw n.Fail("input 0 is missing");
        int axis = Axis(n.Int("axis", 0), data.Rank, n), parts = n.Outputs.Count;
        long dim = data.Dims[axis];
        long[] sizes = (n.Opset >= 13 ? (x.Length > 1 ? x[1]?.AsLongs() : null) : n.Ints("split"))
            ?? (dim % parts == 0 ? Enumerable.Repeat(dim / parts, parts).ToArray() : throw n.Fail($"{dim} does not split into {parts} equal parts"));
        if (sizes.Length != parts || sizes.Any(v => v < 0) || sizes.Sum() != dim) throw n.Fail($"split [{string.Join(", ", sizes)}] does not divide {dim}");
        var result = new OnnxTensor[parts];
        long first = 0;
        for (int i = 0; i < parts; i++)
        {
            result[i] = Slice(n, data, ([first], [first + sizes[i]], [axis], null));
            first += sizes[i];
        }
        return result;
    }

    /// <summary>Resolves a possibly negative axis against <paramref name="rank"/>; clamp for Shape's start/end.</summary>
    public static int Axis(long axis, int rank, OnnxNode n, bool clamp = false)
    {
        if (axis < 0) axis += rank;
        if (clamp) return (int)Math.Clamp(axis, 0, rank);
        if (axis < 0 || axis >= rank) throw n.Fail($"axis {axis} is out of range for rank {rank}");
        return (int)axis;
    }

    /// <summary>ONNX Reshape's target dims: 0 copies the input dim (unless allowzero), one -1 is inferred.</summary>
    public static long[] ReshapeDims(OnnxNode n, long[] input, long[] shape, bool allowZero)
    {
        long total = input.Aggregate(1L, (a, b) => a * b);
        var dims = shape.ToArray();
        int infer = -1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 0 && !allowZero)
            {
                if (i >= input.Length) throw n.Fail($"shape [{string.Join(", ", shape)}] copies dimension {i} the input does not have");
                dims[i] = input[i];
            }
            else if (dims[i] == -1)
            {
                if (infer >= 0) throw n.Fail($"shape [{string.Join(", ", shape)}] has two -1 entries");
                infer = i;
            }
            else if (dims[i] < 0) throw n.Fail($"shape [{string.Join(", ", shape)}] has a negative entry");
        }
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
            if (i != infer) known = known * dims[i] is var p && p <= OnnxLimits.MaxConstantElements ? p : throw n.Fail($"shape [{string.Join(", ", shape)}] is too large");
        if (infer >= 0)
        {
            if (known == 0 || total % known != 0) throw n.Fail($"cannot reshape [{string.Join(", ", input)}] to [{string.Join(", ", shape)}]");
            dims[infer] = total / known;
        }
        else if (known != total) throw n.Fail($"cannot reshape [{string.Join(", ", input)}] ({total} elements) to [{string.Join(", ", shape)}]");
        return dims;
    }

    private static OnnxTensor Map(OnnxTensor a, Func<double, double> f)
    {
        var v = new double[a.Count];
        for (long i = 0; i < v.Length; i++) v[i] = f(a[i]);
        return a.Like(a.Dims, v);
    }

    private static OnnxTensor Bool(OnnxTensor t) => OnnxTensor.OfInts(t.Dims, t.AsLongs());

    /// <summary>Numpy-style broadcasting of any number of inputs; the result has the data kind of input
    /// <paramref name="like"/> (float if any of the arithmetic inputs is float).</summary>
    private static OnnxTensor Broadcast(OnnxNode n, OnnxTensor[] ins, Func<double[], double> f, int like = -1)
    {
        int rank = ins.Max(t => t.Rank);
        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long d = 1;
            foreach (var t in ins)
            {
                int j = i - (rank - t.Rank);
                if (j < 0) continue;
                long e = t.Dims[j];
                if (e == d || e == 1) continue;
                if (d != 1) throw n.Fail($"shapes {string.Join(" and ", ins.Select(s => $"[{string.Join(", ", s.Dims)}]"))} do not broadcast");
                d = e;
            }
            dims[i] = d;
        }
        long count = OnnxLimits.Elements(dims, n.Fail);
        var strides = ins.Select(t =>
        {
            var s = new long[rank];
            long stride = 1;
            for (int i = rank - 1; i >= rank - t.Rank; i--)
            {
                s[i] = t.Dims[i - (rank - t.Rank)] == 1 ? 0 : stride;
                stride *= t.Dims[i - (rank - t.Rank)];
            }
            return s;
        }).ToArray();
        var output = new double[count];
        var args = new double[ins.Length];
        var index = new long[rank];
        for (long o = 0; o < count; o++)
        {
            for (int k = 0; k < ins.Length; k++)
            {
                long off = 0;
                for (int i = 0; i < rank; i++) off += index[i] * strides[k][i];
                args[k] = ins[k][off];
            }
            output[o] = f(args);
            for (int i = rank - 1; i >= 0 && ++index[i] == dims[i]; i--) index[i] = 0;
        }
        var template = like >= 0 ? ins[like] : ins.FirstOrDefault(t => t.IsFloat) ?? ins[0];
        return template.Like(dims, output);
    }

    private static OnnxTensor Concat(OnnxNode n, OnnxTensor[] ins)
    {
        if (ins.Length == 0) throw n.Fail("no inputs");
        int rank = ins[0].Rank;
        int axis = Axis(n.Int("axis", 0), rank, n);
        if (ins.Any(t => t.Rank != rank || Enumerable.Range(0, rank).Any(i => i != axis && t.Dims[i] != ins[0].Dims[i])))
            throw n.Fail($"inputs {string.Join(", ", ins.Select(t => $"[{string.Join(", ", t.Dims)}]"))} do not concatenate on axis {axis}");
        var dims = ins[0].Dims.ToArray();
        dims[axis] = ins.Sum(t => t.Dims[axis]);
        OnnxLimits.Elements(dims, n.Fail);
        long outer = dims[..axis].Aggregate(1L, (a, b) => a * b), inner = dims[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        var output = new List<double>();
        for (long o = 0; o < outer; o++)
            foreach (var t in ins)
            {
                long block = t.Dims[axis] * inner;
                for (long i = 0; i < block; i++) output.Add(t[o * block + i]);
            }
        return (ins.FirstOrDefault(t => t.IsFloat) ?? ins[0]).Like(dims, [.. output]);
    }

    private static OnnxTensor Gather(OnnxNode n, OnnxTensor data, OnnxTensor indices)
    {
        if (data.Rank == 0) throw n.Fail("data is a scalar");
        int axis = Axis(n.Int("axis", 0), data.Rank, n);
        long dim = data.Dims[axis];
        long outer = data.Dims[..axis].Aggregate(1L, (a, b) => a * b), inner = data.Dims[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        long[] dims = [.. data.Dims[..axis], .. indices.Dims, .. data.Dims[(axis + 1)..]];
        OnnxLimits.Elements(dims, n.Fail);
        var output = new List<double>();
        for (long o = 0; o < outer; o++)
            for (long j = 0; j < indices.Count; j++)
            {
                long idx = (long)indices[j];
                if (idx < 0) idx += dim;
                if (idx < 0 || idx >= dim) throw n.Fail($"index {(long)indices[j]} is out of range for dimension {dim}");
                for (long k = 0; k < inner; k++) output.Add(data[(o * dim + idx) * inner + k]);
            }
        return data.Like(dims, [.. output]);
    }

    /// <summary>(starts, ends, axes, steps) from inputs (opset 10+) or attributes (before).</summary>
    public static (long[] Starts, long[] Ends, long[]? Axes, long[]? Steps) SliceParams(OnnxNode n, OnnxTensor?[] x)
    {
        if (n.Opset < 10)
            return (n.Ints("starts") ?? throw n.Fail("no starts"), n.Ints("ends") ?? throw n.Fail("no ends"), n.Ints("axes"), null);
        long[]? Get(int i) => i < x.Length && x[i] is { } t ? t.AsLongs() : null;
        return (Get(1) ?? throw n.Fail("starts are not known at load time"), Get(2) ?? throw n.Fail("ends are not known at load time"), Get(3), Get(4));
    }

    /// <summary>Per dimension of <paramref name="dims"/>, the selected (start, step, count) of a Slice.</summary>
    public static (long Start, long Step, long Count)[] SliceRanges(OnnxNode n, long[] dims, (long[] Starts, long[] Ends, long[]? Axes, long[]? Steps) p)
    {
        var r = dims.Select(d => (0L, 1L, d)).ToArray();
        var axes = p.Axes ?? Enumerable.Range(0, p.Starts.Length).Select(i => (long)i).ToArray();
        if (p.Ends.Length != p.Starts.Length || axes.Length != p.Starts.Length || p.Steps is not null && p.Steps.Length != p.Starts.Length)
            throw n.Fail("starts, ends, axes and steps differ in length");
        for (int k = 0; k < axes.Length; k++)
        {
            int a = Axis(axes[k], dims.Length, n);
            long d = dims[a], step = p.Steps?[k] ?? 1;
            if (step == 0) throw n.Fail("step is 0");
            long start = p.Starts[k], end = p.Ends[k];
            if (start < 0) start += d;
            if (end < 0) end += d;
            long count;
            if (step > 0)
            {
                start = Math.Clamp(start, 0, d);
                end = Math.Clamp(end, 0, d);
                count = end > start ? (end - start + step - 1) / step : 0;
            }
            else
            {
                start = Math.Clamp(start, 0, d - 1);
                end = Math.Clamp(end, -1, d - 1);
                count = start > end ? (start - end + (-step) - 1) / -step : 0;
            }
            r[a] = (start, step, count);
        }
        return r;
    }

    private static OnnxTensor Slice(OnnxNode n, OnnxTensor data, (long[], long[], long[]?, long[]?) p)
    {
        var ranges = SliceRanges(n, data.Dims, p);
        var dims = ranges.Select(r => r.Count).ToArray();
        long count = OnnxLimits.Elements(dims, n.Fail);
        var output = new double[count];
        var index = new long[dims.Length];
        for (long o = 0; o < count; o++)
        {
            long off = 0;
            for (int i = 0; i < dims.Length; i++) off = off * data.Dims[i] + ranges[i].Start + index[i] * ranges[i].Step;
            output[o] = data[off];
            for (int i = dims.Length - 1; i >= 0 && ++index[i] == dims[i]; i--) index[i] = 0;
        }
        return data.Like(dims, output);
    }

    private static OnnxTensor Transpose(OnnxNode n, OnnxTensor data, long[]? perm)
    {
        int rank = data.Rank;
        perm ??= Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw n.Fail($"perm [{string.Join(", ", perm)}] is not a permutation of rank {rank}");
        var dims = perm.Select(p => data.Dims[p]).ToArray();
        var inStrides = new long[rank];
        for (long i = rank - 1, s = 1; i >= 0; s *= data.Dims[i], i--) inStrides[i] = s;
        var output = new double[data.Count];
        var index = new long[rank];
        for (long o = 0; o < output.Length; o++)
        {
            long off = 0;
            for (int i = 0; i < rank; i++) off += index[i] * inStrides[perm[i]];
            output[o] = data[off];
            for (int i = rank - 1; i >= 0 && ++index[i] == dims[i]; i--) index[i] = 0;
        }
        return data.Like(dims, output);
    }
}
