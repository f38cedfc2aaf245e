using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Ncnn;

// Layout layers: Concat, Slice and Crop on any axis, Reshape, Flatten, Permute, Padding, ShuffleChannel, Softmax
// on any axis, Interp.
internal sealed partial class NcnnLayerMapper
{
    private bool MapShape(NcnnLayer layer)
    {
        var p = layer.Params;
        switch (layer.Type)
        {
            case "Concat": Concat(p); break;
            case "Slice": Slice(p); break;
            case "Flatten": Need(1); Set(builder.Flatten(Name(), RuntimeIn(0)), 1); break;
            case "Reshape": Reshape(p); break;
            case "Permute": Permute(p); break;
            case "Padding": PaddingLayer(p); break;
            case "ShuffleChannel": ShuffleChannel(p); break;
            case "Softmax": Softmax(p); break;
            case "Interp": Interp(p); break;
            case "Crop": Crop(p); break;
            case "Reduction": Reduction(p); break;
            case "LRN":
                Need(1);
                if (p.Int(0, 0) != 0) throw Fail("LRN within a channel (0=1) is not supported; only across channels");
                SetLike(builder.Lrn(Name(), RuntimeIn(0), p.Int(1, 5), p.Float(2, 1f), p.Float(3, 0.75f), p.Float(4, 1f)));
                break;
            default: return false;
        }
        return true;
    }

    /// <summary>The axis <paramref name="axis"/> (negative from the end) of a rank-<paramref name="dims"/> blob, checked.</summary>
    private int Axis(int axis, int dims)
    {
        int a = axis < 0 ? axis + dims : axis;
        return a >= 0 && a < dims ? a : throw Fail($"axis {axis} is not an axis of a {dims}-D blob");
    }

    // ncnn's axis k of a blob is the graph's tensor axis k (C, H, W; see NcnnTensor): an inner axis is concatenated,
    // sliced or cropped as channels of the tensor with that axis swapped to the front, then swapped back.
    private void Concat(NcnnParams p)
    {
        if (_layer.Bottoms.Count == 0 || _layer.Tops.Count != 1) throw Fail("needs inputs and one output");
        var first = In(0);
        if (_layer.Bottoms.Select((_, i) => In(i).Dims).Any(d => d != first.Dims))
            throw Fail("concatenation of blobs of different ranks is not supported");
        int axis = Axis(p.Int(0, 0), first.Dims);
        var parts = _layer.Bottoms.Select((_, i) => SwapToFront(Name("swap"), RuntimeIn(i), axis)).ToList();
        var joined = builder.Concat(axis == 0 ? Name() : Name("concat"), parts.Cast<Value?>().ToList(), parts.Select(v => v.Shape.C).ToList());
        Set(SwapToFront(Name(), joined, axis), first.Dims);
    }

    private void Slice(NcnnParams p)
    {
        if (_layer.Bottoms.Count != 1 || _layer.Tops.Count == 0) throw Fail("needs one input and outputs");
        var x = In(0);
        int axis = Axis(p.Int(1, 0), x.Dims);
        var slices = p.Ints(0);
        if (slices.Length != _layer.Tops.Count) throw Fail($"{slices.Length} slice sizes for {_layer.Tops.Count} outputs");
        var swapped = SwapToFront(Name("swap"), x.Value!, axis);
        int total = swapped.Shape.C, start = 0;
        for (int i = 0; i < slices.Length; i++)
        {
            // -233: an equal share of what is left for this and the following outputs.
            int n = slices[i] == -233 ? (total - start) / (slices.Length - i) : slices[i];
            if (n <= 0 || start + n > total) throw Fail($"slice sizes [{string.Join(", ", slices)}] do not fit the {total} of axis {axis}");
            var part = builder.SliceChannels(axis == 0 ? Name(top: i) : Name("slice", i), swapped, start, n);
            Set(i, new NcnnTensor(SwapToFront(Name(top: i), part, axis), x.Dims));
            start += n;
        }
    }

    /// <summary><paramref name="v"/> with tensor axis <paramref name="axis"/> and the channels swapped (its own inverse),
    /// named <paramref name="name"/>; <paramref name="v"/> itself for axis 0.</summary>
    private Value SwapToFront(string name, Value v, int axis) =>
        axis == 0 ? v : builder.Transpose(name, v, axis == 1 ? [1, 0, 2] : [2, 1, 0]);

    // w (0), h (1), c (2): -233 leaves the axis out (lower rank), 0 keeps the input's, -1 takes what is left.
    private void Reshape(NcnnParams p)
    {
        Need(1);
        if (p.Int(3, 0) != 0 || p.Has(11)) throw Fail("Reshape with permute (3=1) or depth (11=) is not supported");
        var x = In(0);
        var inAxes = x.Axes;
        int[] wanted = p.Int(1, -233) == -233 ? [p.Int(0, -233)] : p.Int(2, -233) == -233 ? [p.Int(1, -233), p.Int(0, -233)] : [p.Int(2, -233), p.Int(1, -233), p.Int(0, -233)];
        long elements = x.Value!.Shape.Elements;
        for (int i = 0; i < wanted.Length; i++)
            if (wanted[i] == 0) wanted[i] = inAxes.Length == wanted.Length ? inAxes[i] : throw Fail("0 (keep) on an axis the input does not have");
        long known = wanted.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
        if (wanted.Count(d => d == -1) > 1 || wanted.Any(d => d < -1 || d == 0) || known <= 0 || elements % known != 0)
            throw Fail($"cannot reshape [{string.Join(", ", inAxes)}] to [{string.Join(", ", wanted)}]");
        for (int i = 0; i < wanted.Length; i++)
            if (wanted[i] == -1) wanted[i] = (int)(elements / known);
        Set(builder.Reshape(Name(), x.Value, Shape(wanted)), wanted.Length);
    }

    private static TensorShape Shape(int[] axes) => axes.Length switch
    {
        1 => new TensorShape(axes[0], 1, 1),
        2 => new TensorShape(axes[0], axes[1], 1),
        _ => new TensorShape(axes[0], axes[1], axes[2]),
    };

    // order_type names the new (w, h, c) by old axes: 0 w h c, 1 h w c, 2 w c h, 3 c w h, 4 h c w, 5 c h w.
    private void Permute(NcnnParams p)
    {
        Need(1);
        var x = In(0);
        int order = p.Int(0, 0);
        int[]? perm = (x.Dims, order) switch
        {
            (_, 0) => [0, 1, 2],
            (2, 1) => [1, 0, 2],
            (3, 1) => [0, 2, 1],
            (3, 2) => [1, 0, 2],
            (3, 3) => [1, 2, 0],
            (3, 4) => [2, 0, 1],
            (3, 5) => [2, 1, 0],
            _ => null,
        };
        if (perm is null) throw Fail($"order_type {order} of a {x.Dims}-D blob is not supported");
        Set(order == 0 ? x.Value! : builder.Transpose(Name(), x.Value!, perm), x.Dims);
    }

    // Zero padding of the sides (top 0, bottom 1, left 2, right 3) or of the channels (front 7, behind 8).
    private void PaddingLayer(NcnnParams p)
    {
        Need(1);
        var x = RuntimeIn(0);
        if (p.Int(4, 0) != 0 || p.Float(5, 0f) != 0f || p.Int(6, 0) != 0)
            throw Fail($"padding type {p.Int(4, 0)} with value {p.Float(5, 0f)} is not supported (only constant zero)");
        var pad = new Padding(p.Int(0, 0), p.Int(2, 0), p.Int(1, 0), p.Int(3, 0));
        int front = p.Int(7, 0), behind = p.Int(8, 0);
        if (front < 0 || behind < 0 || front > 1 << 16 || behind > 1 << 16) throw Fail($"channel padding {front}, {behind} must be in 0..65536");
        bool channels = front > 0 || behind > 0;
        var y = pad.IsZero ? x : builder.Pad(channels ? Name("pad") : Name(), x, pad);
        if (channels)
        {
            var parts = new List<Value?>();
            var counts = new List<int>();
            if (front > 0) { parts.Add(null); counts.Add(front); }
            parts.Add(y);
            counts.Add(y.Shape.C);
            if (behind > 0) { parts.Add(null); counts.Add(behind); }
            y = builder.Concat(Name(), parts, counts);
        }
        Set(y, 3);
    }

    private void ShuffleChannel(NcnnParams p)
    {
        Need(1);
        var x = RuntimeIn(0);
        int groups = p.Int(0, 1);
        if (groups <= 0 || x.Shape.C % groups != 0) throw Fail($"group {groups} does not divide {x.Shape.C} channels");
        SetLike(builder.ChannelShuffle(Name(), x, p.Int(1, 0) != 0 ? x.Shape.C / groups : groups));
    }

    private void Softmax(NcnnParams p)
    {
        Need(1);
        var x = In(0);
        var axes = x.Axes;
        int axis = Axis(p.Int(0, 0), x.Dims);
        int outer = axes.Take(axis).Aggregate(1, (a, d) => a * d), inner = axes.Skip(axis + 1).Aggregate(1, (a, d) => a * d);
        SetLike(x.Dims == 1 ? builder.Softmax(Name(), x.Value!) : builder.AxisSoftmax(Name(), x.Value!, outer, axes[axis], inner));
    }

    // resize_type 1 nearest (floor of out * in / out size), 2 bilinear (half-pixel, or align_corner 6=1).
    private void Interp(NcnnParams p)
    {
        Need(1);
        var x = RuntimeIn(0);
        int type = p.Int(0, 0);
        if (type is not (1 or 2) || p.Int(5, 0) != 0) throw Fail($"resize type {type} (dynamic size {p.Int(5, 0)}) is not supported (1 nearest, 2 bilinear)");
        float sh = p.Float(1, 1f), sw = p.Float(2, 1f);
        int outH = p.Int(3, 0) > 0 ? p.Int(3, 0) : (int)(x.Shape.H * sh), outW = p.Int(4, 0) > 0 ? p.Int(4, 0) : (int)(x.Shape.W * sw);
        var coordinates = type == 1 ? ResizeCoordinates.Asymmetric : p.Int(6, 0) != 0 ? ResizeCoordinates.AlignCorners : ResizeCoordinates.HalfPixel;
        SetLike(builder.Resize(Name(), x, outH, outW, type == 2, coordinates, ResizeNearest.Floor, (float)outH / x.Shape.H, (float)outW / x.Shape.W));
    }

    // Crop: per axis an offset, a size (-233 or 0: to the end, less a tail offset) and a tail offset, ids (0, 3, 6) for
    // w, (1, 4, 7) for h, (2, 5, 8) for c; or numpy-style starts / ends / axes arrays (9, 10, 11).
    private void Crop(NcnnParams p)
    {
        Need(1);
        var x = In(0);
        var sizes = x.Axes;
        var cuts = new List<(int Axis, int Start, int Count)>();
        if (p.Has(9) || p.Has(10) || p.Has(11))
        {
            int[] starts = p.Ints(9), ends = p.Ints(10), axes = p.Has(11) ? p.Ints(11) : [.. Enumerable.Range(0, starts.Length)];
            if (starts.Length != ends.Length || axes.Length != starts.Length) throw Fail($"{starts.Length} starts, {ends.Length} ends and {axes.Length} axes do not pair up");
            foreach (var (a, i) in axes.Select((a, i) => (Axis(a, x.Dims), i)))
            {
                int start = starts[i] < 0 ? starts[i] + sizes[a] : Math.Min(starts[i], sizes[a]);
                int end = ends[i] < 0 ? ends[i] + sizes[a] : Math.Min(ends[i], sizes[a]);
                cuts.Add((a, start, end - start));
            }
        }
        else
        {
            if (p.Has(13) || p.Has(14) || p.Has(15)) throw Fail("cropping the depth (13, 14, 15) is not supported");
            for (int a = 0; a < x.Dims; a++)
            {
                int id = x.Dims - 1 - a; // w's ids on the innermost axis
                int start = p.Int(id, 0), size = p.Int(id + 3, 0), tail = p.Int(id + 6, 0);
                cuts.Add((a, start, size is -233 or 0 ? sizes[a] - start - tail : size));
            }
        }
        cuts.RemoveAll(c => c.Start == 0 && c.Count == sizes[c.Axis]);
        foreach (var (a, start, count) in cuts)
            if (start < 0 || count <= 0 || start + count > sizes[a])
                throw Fail($"crop {start}..{start + count - 1} of axis {a} is not within its {sizes[a]}");
        var y = x.Value!;
        for (int i = 0; i < cuts.Count; i++)
        {
            var (a, start, count) = cuts[i];
            bool last = i == cuts.Count - 1;
            var part = builder.SliceChannels(a == 0 && last ? Name() : Name("crop"), SwapToFront(Name("swap"), y, a), start, count);
            y = SwapToFront(last ? Name() : Name("unswap"), part, a);
        }
        SetLike(y);
    }

    // Reduction (0: 0 sum, 3 mean) over h and w (axes 3 = [1, 2]): a global average pool,
    // scaled by h x w for a sum; keepdims (4) keeps c x 1 x 1, else a 1-D blob.
    private void Reduction(NcnnParams p)
    {
        Need(1);
        var x = In(0);
        var axes = p.Ints(3).Select(a => Axis(a, x.Dims)).OrderBy(a => a).ToArray();
        int op = p.Int(0, 0);
        if (x.Dims != 3 || p.Int(1, 1) != 0 || !axes.SequenceEqual([1, 2]) || op is not (0 or 3) || p.Float(2, 1f) != 1f)
            throw Fail($"Reduction {op} over axes [{string.Join(", ", p.Ints(3))}] is not supported (sum or mean over h and w)");
        var s = x.Value!.Shape;
        var mean = builder.GlobalAvgPool(op == 3 ? Name() : Name("mean"), x.Value);
        Set(op == 3 ? mean : Affine(Name(), mean, s.H * s.W, 0f), p.Int(4, 0) != 0 ? 3 : 1);
    }
}
