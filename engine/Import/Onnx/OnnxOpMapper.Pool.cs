using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Onnx;

/// <summary>MaxPool and AveragePool, 2-D and 1-D (a [N, C, L] input pools as C x 1 x L), with ceil_mode (the last
/// window's missing pixels are padding, which neither op counts) and AveragePool's count_include_pad (explicit zero
/// padding first, so the zeros count).</summary>
internal sealed partial class OnnxOpMapper
{
    private readonly record struct PoolWindow(ForeignTensor Input, int KernelH, int KernelW, int StrideH, int StrideW, Padding Pad, bool OneD);

    private ForeignTensor MaxPool(OnnxNode n, ForeignTensor x)
    {
        if (n.Int("storage_order", 0) != 0) throw n.Fail("storage_order=1 is not supported");
        var p = Window(n, x);
        return Pooled(n, p, builder.MaxPool(Name(n), p.Input.Value, p.KernelH, p.KernelW, p.StrideH, p.StrideW, p.Pad));
    }

    private ForeignTensor AveragePool(OnnxNode n, ForeignTensor x)
    {
        var p = Window(n, x);
        if (n.Int("count_include_pad", 0) != 0 && !p.Pad.IsZero)
        {
            if (n.Int("ceil_mode", 0) != 0) throw n.Fail("count_include_pad=1 with ceil_mode=1 is not supported");
            var padded = builder.Pad(Unique(Prefix(n) + "/zeros"), p.Input.Value, p.Pad);
            p = p with { Input = p.Input with { Value = padded }, Pad = Padding.Zero };
        }
        return Pooled(n, p, builder.AvgPool(Name(n), p.Input.Value, p.KernelH, p.KernelW, p.StrideH, p.StrideW, p.Pad));
    }

    /// <summary>A prefix for a node's intermediate ops that leaves its output name free for the op (or the rename at
    /// the graph's output) that computes it.</summary>
    private static string Prefix(OnnxNode n) => n.Outputs[0].Length > 0 ? n.Outputs[0] : n.Name;

    private ForeignTensor Pooled(OnnxNode n, PoolWindow p, Value y) =>
        !p.OneD ? ForeignTensor.ChannelsFirst(y, 4) : View(n, ForeignTensor.ChannelsFirst(y, 4), [1, y.Shape.C, y.Shape.W]);

    private PoolWindow Window(OnnxNode n, ForeignTensor x)
    {
        var k = n.Ints("kernel_shape") ?? throw n.Fail("no kernel_shape");
        bool oneD = x.RowMajor && x.Rank == 3 && k.Length == 1;
        if (!oneD) x = Rank4(n, x);
        int rank = oneD ? 1 : 2;
        if (k.Length != rank || k.Any(v => v <= 0 || v > OnnxLimits.MaxActivationDim)) throw n.Fail($"kernel_shape [{string.Join(", ", k)}] is not a {rank}-D window");
        if (n.Ints("dilations") is { } dil && dil.Any(d => d != 1)) throw n.Fail("dilations are not supported");
        int kh, kw, sh, sw;
        Padding pad;
        if (oneD)
        {
            var dims = x.Dims;
            var planes = new Tensors.TensorShape((int)dims[1], 1, (int)dims[2]);
            x = ForeignTensor.ChannelsFirst(planes == x.Value.Shape ? x.Value : builder.Reshape(Unique(Prefix(n) + "/rows"), x.Value, planes), 4);
            var strides = n.Ints("strides") ?? [1];
            var pads = n.Str("auto_pad", "NOTSET") is "NOTSET" or "" or "VALID" ? n.Ints("pads") ?? [0, 0] : throw n.Fail($"auto_pad '{n.Str("auto_pad", "")}' of a 1-D pool is not supported");
            if (strides.Length != 1 || strides[0] <= 0 || strides[0] > OnnxLimits.MaxActivationDim || pads.Length != 2 || pads.Any(v => v < 0 || v > OnnxLimits.MaxActivationDim))
                throw n.Fail($"strides [{string.Join(", ", strides)}] or pads [{string.Join(", ", pads)}] do not fit a 1-D window");
            (kh, kw, sh, sw) = (1, (int)k[0], 1, (int)strides[0]);
            pad = n.Str("auto_pad", "NOTSET") == "VALID" ? Padding.Zero : new Padding(0, (int)pads[0], 0, (int)pads[1]);
        }
        else
        {
            (kh, kw) = ((int)k[0], (int)k[1]);
            (sh, sw) = Pair(n, "strides");
            var s = x.Value.Shape;
            pad = Pads(n, s.H, s.W, kh, kw, sh, sw);
        }
        if (n.Int("ceil_mode", 0) != 0)
        {
            // ceil((in + pads - k) / s) + 1 windows, the last starting inside the input or its leading padding.
            var s = x.Value.Shape;
            int Extra(int size, int begin, int end, int kernel, int stride)
            {
                long span = (long)size + begin + end - kernel;
                long windows = (span + stride - 1) / stride + 1;
                if ((windows - 1) * stride >= size + begin) windows--;
                return (int)Math.Max(0, (windows - 1) * stride + kernel - (size + begin + end));
            }
            pad = new Padding(pad.Top, pad.Left, pad.Bottom + Extra(s.H, pad.Top, pad.Bottom, kh, sh), pad.Right + Extra(s.W, pad.Left, pad.Right, kw, sw));
        }
        return new PoolWindow(x, kh, kw, sh, sw, pad, oneD);
    }
}

/// <summary>Transpose of a [N, A, B] view: held as A x B x 1, its two sample axes swap as C and H do.</summary>
internal sealed partial class OnnxOpMapper
{
    private ForeignTensor Transpose3(OnnxNode n, ForeignTensor x)
    {
        var perm = n.Ints("perm") ?? [2, 1, 0];
        if (perm.Length != 3 || perm[0] != 0 || !perm.Order().SequenceEqual(new long[] { 0, 1, 2 }))
            throw n.Fail($"perm [{string.Join(", ", perm)}] of [{string.Join(", ", x.Dims)}] is not supported (the batch axis must stay first)");
        if (perm[1] == 1) return x;
        var dims = x.Dims;
        var planes = new Tensors.TensorShape((int)dims[1], (int)dims[2], 1);
        var v = planes == x.Value.Shape ? x.Value : builder.Reshape(Unique(Prefix(n) + "/planes"), x.Value, planes);
        var t = builder.Transpose(Unique(Prefix(n) + "/swap"), v, [1, 0, 2]);
        return View(n, ForeignTensor.ChannelsFirst(t, 4), [1, dims[2], dims[1]]);
    }
}
