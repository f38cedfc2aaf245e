namespace GpuMobileNet.Import.Onnx;

/// <summary>ConvTranspose: 2-D, any groups, strides, dilations, pads, output_padding, output_shape and auto_pad.</summary>
internal sealed partial class OnnxOpMapper
{
    private ForeignTensor ConvTranspose(OnnxNode n, ForeignTensor x, OnnxTensor w, OnnxTensor? b)
    {
        x = Rank4(n, x);
        string dims = $"[{string.Join(", ", w.Dims)}]";
        if (w.Rank != 4) throw n.Fail($"weights are {dims}; only 2-D transposed convolutions ([I, O/group, kH, kW]) are supported");
        var s = x.Value.Shape;
        long group = n.Int("group", 1);
        if (group <= 0 || w.Dims[0] != s.C || s.C % group != 0 || w.Dims[1] * group > int.MaxValue)
            throw n.Fail($"weights {dims} with group {group} do not fit input [{string.Join(", ", x.Dims)}]");
        int outC = checked((int)(w.Dims[1] * group)), kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (n.Ints("kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
            throw n.Fail($"kernel_shape [{string.Join(", ", ks)}] disagrees with weights {dims}");
        var (sh, sw) = Pair(n, "strides");
        var (dh, dw) = Pair(n, "dilations");
        var outPad = n.Ints("output_padding") ?? [0, 0];
        if (outPad.Length != 2 || outPad[0] < 0 || outPad[1] < 0 || outPad[0] >= Math.Max(sh, dh) || outPad[1] >= Math.Max(sw, dw))
            throw n.Fail($"output_padding [{string.Join(", ", outPad)}] must be 2 values, each below its stride or dilation");
        var (top, left, outH, outW) = (0L, 0L, 0L, 0L);
        string autoPad = n.Str("auto_pad", "NOTSET");
        var shape = n.Ints("output_shape");
        if (shape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            // ONNX: total padding = stride (in - 1) + output_padding + dilated kernel - output size; SAME_UPPER puts the
            // smaller half first, anything else the larger half (halves rounded down, as in ONNX's reference).
            if (shape is not null && shape.Length is not (2 or 4)) throw n.Fail($"output_shape [{string.Join(", ", shape)}] is not [H, W]");
            long wantH = shape is null ? (long)s.H * sh : shape[^2], wantW = shape is null ? (long)s.W * sw : shape[^1];
            if (wantH <= 0 || wantW <= 0 || wantH > OnnxLimits.MaxActivationDim || wantW > OnnxLimits.MaxActivationDim)
                throw n.Fail($"output size {wantH}x{wantW} is not a valid size");
            long totalH = ConvTransposeOpSize(s.H, kh, sh, dh, outPad[0]) - wantH, totalW = ConvTransposeOpSize(s.W, kw, sw, dw, outPad[1]) - wantW;
            bool upper = autoPad == "SAME_UPPER";
            top = upper ? FloorHalf(totalH) : totalH - FloorHalf(totalH);
            left = upper ? FloorHalf(totalW) : totalW - FloorHalf(totalW);
            (outH, outW) = (wantH, wantW);
        }
        else
        {
            if (autoPad is not ("NOTSET" or "" or "VALID")) throw n.Fail($"auto_pad '{autoPad}' is not supported");
            var p = autoPad == "VALID" ? [0, 0, 0, 0] : n.Ints("pads") ?? [0, 0, 0, 0];
            if (p.Length != 4 || p.Any(v => v < 0 || v > OnnxLimits.MaxActivationDim)) throw n.Fail($"pads [{string.Join(", ", p)}] are not 4 non-negative values");
            (top, left) = (p[0], p[1]);
            outH = ConvTransposeOpSize(s.H, kh, sh, dh, outPad[0]) - p[0] - p[2];
            outW = ConvTransposeOpSize(s.W, kw, sw, dw, outPad[1]) - p[1] - p[3];
        }
        if (outH <= 0 || outW <= 0 || outH > OnnxLimits.MaxActivationDim || outW > OnnxLimits.MaxActivationDim || Math.Abs(top) > OnnxLimits.MaxActivationDim || Math.Abs(left) > OnnxLimits.MaxActivationDim)
            throw n.Fail($"output {outH}x{outW} (pads {top}, {left}) of input [{string.Join(", ", x.Dims)}] is not a valid size");
        return ForeignTensor.ChannelsFirst(builder.ConvTranspose(Name(n), x.Value, outC, (int)outH, (int)outW, kh, kw, sh, sw, dh, dw, (int)top, (int)left, (int)group,
            w.AsFloats(), b is null ? null : Vector(n, b, outC, "bias")), 4);
    }

    /// <summary>total // 2 as ONNX's reference computes it (floor): an output_shape one larger than the taps reach
    /// (total -1) adds the extra row at the end, as output_padding would.</summary>
    private static long FloorHalf(long total) => (long)Math.Floor(total / 2.0);

    private static long ConvTransposeOpSize(int input, int kernel, int stride, int dilation, long outputPadding) =>
        Graph.Ops.ConvTransposeOp.OutputSize(input, kernel, stride, dilation, 0, 0, (int)outputPadding);
}
