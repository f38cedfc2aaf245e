using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Ncnn;

// Convolution, ConvolutionDepthWise, InnerProduct and Pooling, with ncnn's padding rules and fused activations.
internal sealed partial class NcnnLayerMapper
{
    /// <summary>ncnn's "SAME" pads: -233 puts the odd pixel after (TF's SAME_UPPER), -234 before.</summary>
    private const int SameUpper = -233, SameLower = -234;

    private void Convolution(NcnnParams p, NcnnWeightFile.Blob[] w)
    {
        Need(1);
        var x = RuntimeIn(0);
        int outC = p.Int(0, 0), kw = p.Int(1, 0), kh = p.Int(11, kw), dw = p.Int(2, 1), dh = p.Int(12, dw), sw = p.Int(3, 1), sh = p.Int(13, sw);
        if (p.Int(19, 0) != 0) throw Fail("dynamic weights (19=1) are not supported");
        if (p.Float(18, 0f) != 0f) throw Fail($"padding with {p.Float(18, 0f)} (18=) is not supported; only zero padding");
        if (new[] { outC, kw, kh, dw, dh, sw, sh }.Any(v => v <= 0 || v > GraphBuilder.MaxWindow))
            throw Fail($"num_output {outC}, kernel {kw}x{kh}, dilation {dw}x{dh} and stride {sw}x{sh} must be in 1..{GraphBuilder.MaxWindow}");
        int groups = _layer.Type == "ConvolutionDepthWise" ? p.Int(7, 1) : 1;
        var pad = ConvPadding(p, x.Shape.W, x.Shape.H, dw * (kw - 1) + 1, dh * (kh - 1) + 1, sw, sh);
        var bias = p.Int(5, 0) != 0 ? w[1].Values : null;
        int act = p.Int(9, 0);
        var actParams = p.Floats(10);
        var fused = Fusable(act, actParams);
        var y = builder.Conv2d(Name(fused is null ? "conv" : null), x, outC, kh, kw, sh, sw, pad, groups, Dequantised(w), bias, fused ?? Activation.None, dh, dw);
        Set(fused is null ? Activated(y, act, actParams) : y, 3);
    }

    // Explicit pads: left (4), top (14, default left), right (15, default left), bottom (16, default top); or SAME.
    private Padding ConvPadding(NcnnParams p, int w, int h, int extentW, int extentH, int sw, int sh)
    {
        int left = p.Int(4, 0), top = p.Int(14, left), right = p.Int(15, left), bottom = p.Int(16, top);
        if (left is SameUpper or SameLower) return Same(w, h, extentW, extentH, sw, sh, left == SameUpper);
        if (new[] { left, top, right, bottom }.Any(v => v < 0 || v > GraphBuilder.MaxWindow))
            throw Fail($"padding left {left}, top {top}, right {right}, bottom {bottom} must be in 0..{GraphBuilder.MaxWindow} (or -233 / -234 for SAME)");
        return new Padding(top, left, bottom, right);
    }

    /// <summary>The layer's weights in fp32: int8 levels divided by their scale (per output, per group, or one).</summary>
    private float[] Dequantised(NcnnWeightFile.Blob[] w)
    {
        if (!w[0].IsInt8) return w[0].Values;
        int at = NcnnWeightSpec.For(_layer).ToList().FindIndex(s => s.Kind == NcnnBlobKind.WeightScale);
        if (at < 0) throw Fail("has int8 weights but no int8 scales (8=0)");
        var scales = w[at].Values;
        var levels = w[0].Values;
        if (scales.Length == 0 || levels.Length % scales.Length != 0)
            throw Fail($"{levels.Length} int8 weights cannot be split over {scales.Length} scales");
        int per = levels.Length / scales.Length;
        var values = new float[levels.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = scales[i / per] == 0 ? 0 : levels[i] / scales[i / per];
        return values;
    }

    // Transposed convolution: out = (in - 1) * stride + dilation * (kernel - 1) + 1 - pads (+ output padding 18, 19);
    // Deconvolution, or DeconvolutionDepthWise with any group (7) dividing both channel counts.
    private void Deconvolution(NcnnParams p, NcnnWeightFile.Blob[] w)
    {
        Need(1);
        var x = RuntimeIn(0);
        int outC = p.Int(0, 0), kw = p.Int(1, 0), kh = p.Int(11, kw), dw = p.Int(2, 1), dh = p.Int(12, dw), sw = p.Int(3, 1), sh = p.Int(13, sw);
        int left = p.Int(4, 0), top = p.Int(14, left), right = p.Int(15, left), bottom = p.Int(16, top);
        int groups = _layer.Type == "DeconvolutionDepthWise" ? p.Int(7, 1) : 1;
        if (new[] { outC, kw, kh, dw, dh, sw, sh }.Any(v => v <= 0 || v > GraphBuilder.MaxWindow) || new[] { left, top, right, bottom }.Any(v => v < 0 || v > GraphBuilder.MaxWindow))
            throw Fail($"num_output {outC}, kernel {kw}x{kh}, dilation {dw}x{dh}, stride {sw}x{sh} and pads must be positive and at most {GraphBuilder.MaxWindow}");
        if (p.Int(20, 0) != 0 || p.Int(21, 0) != 0 || p.Int(28, 0) != 0) throw Fail("a fixed output size (20, 21) or dynamic weights are not supported");
        if (groups <= 0 || x.Shape.C % groups != 0 || outC % groups != 0)
            throw Fail($"group {groups} does not divide the {x.Shape.C} input and {outC} output channels");
        int outW = (x.Shape.W - 1) * sw + dw * (kw - 1) + 1 - left - right + p.Int(18, 0);
        int outH = (x.Shape.H - 1) * sh + dh * (kh - 1) + 1 - top - bottom + p.Int(19, 0);
        var bias = p.Int(5, 0) != 0 ? w[1].Values : null;
        int act = p.Int(9, 0);
        var weights = InputMajor(Dequantised(w), groups, x.Shape.C / groups, outC / groups, kh * kw);
        var y = builder.ConvTranspose(Name(act == 0 ? null : "deconv"), x, outC, outH, outW, kh, kw, sh, sw, dh, dw, top, left, groups, weights, bias);
        Set(act == 0 ? y : Activated(y, act, p.Floats(10)), 3);
    }

    /// <summary>ncnn's deconvolution weights, [group][out/group][in/group][kh x kw], in the graph's order,
    /// [in][out/group][kh x kw] (the same for depthwise). A wrong count is passed on for the builder to name.</summary>
    private static float[] InputMajor(float[] w, int groups, int inPerGroup, int outPerGroup, int taps)
    {
        if (w.Length != (long)groups * inPerGroup * outPerGroup * taps || inPerGroup == 1 && outPerGroup == 1) return w;
        var ours = new float[w.Length];
        for (int g = 0; g < groups; g++)
            for (int o = 0; o < outPerGroup; o++)
                for (int i = 0; i < inPerGroup; i++)
                    Array.Copy(w, ((g * outPerGroup + o) * inPerGroup + i) * taps, ours, ((g * inPerGroup + i) * outPerGroup + o) * taps, taps);
        return ours;
    }

    private void InnerProduct(NcnnParams p, NcnnWeightFile.Blob[] w)
    {
        Need(1);
        var x = RuntimeIn(0);
        if (x.Shape.H != 1 || x.Shape.W != 1) x = builder.Flatten(Name("flatten"), x);
        int units = p.Int(0, 0);
        if (units <= 0) throw Fail($"num_output {units} must be positive");
        var bias = p.Int(1, 0) != 0 ? w[1].Values : null;
        int act = p.Int(9, 0);
        var actParams = p.Floats(10);
        var fused = Fusable(act, actParams);
        var y = builder.Dense(Name(fused is null ? "dense" : null), x, units, Dequantised(w), bias, fused ?? Activation.None);
        Set(fused is null ? Activated(y, act, actParams) : y, 1);
    }

    private void Pooling(NcnnParams p)
    {
        Need(1);
        var x = RuntimeIn(0);
        bool max = p.Int(0, 0) == 0;
        if (p.Int(0, 0) is not (0 or 1)) throw Fail($"pooling type {p.Int(0, 0)} is not max (0) or average (1)");
        if (p.Int(7, 0) != 0) throw Fail("adaptive pooling (7=1) is not supported");
        if (p.Int(4, 0) != 0)
        {
            // Global pooling gives ncnn a 1-D blob of one value per channel.
            var g = max ? builder.MaxPool(Name(), x, x.Shape.H, x.Shape.W, 1, 1, Padding.Zero) : builder.GlobalAvgPool(Name(), x);
            Set(g, 1);
            return;
        }
        int kw = p.Int(1, 0), kh = p.Int(11, kw), sw = p.Int(2, 1), sh = p.Int(12, sw);
        if (new[] { kw, kh, sw, sh }.Any(v => v <= 0 || v > GraphBuilder.MaxWindow))
            throw Fail($"kernel {kw}x{kh} and stride {sw}x{sh} must be in 1..{GraphBuilder.MaxWindow}");
        var pad = PoolPadding(p, x.Shape.W, x.Shape.H, kw, kh, sw, sh);
        Value y;
        if (max) y = builder.MaxPool(Name(), x, kh, kw, sh, sw, pad);
        // ncnn leaves padding out of an average only for explicit pads and the full mode's tail (avgpool_count_include_pad
        // 0); its SAME padding always counts, as do all pads with 6=1.
        else if (p.Int(6, 0) == 0 && p.Int(5, 0) is 0 or 1) y = builder.AvgPool(Name(), x, kh, kw, sh, sw, pad);
        else y = builder.AvgPool(Name(), pad.IsZero ? x : builder.Pad(Name("pad"), x, pad), kh, kw, sh, sw, Padding.Zero);
        Set(y, 3);
    }

    // pad_mode (5): 0 "full" (Caffe's ceil rounding: extra pixels after, so the last partial window counts), 1 valid,
    // 2 SAME with the odd pixel after, 3 SAME with it before.
    private Padding PoolPadding(NcnnParams p, int w, int h, int kw, int kh, int sw, int sh)
    {
        int left = p.Int(3, 0), top = p.Int(13, left), right = p.Int(14, left), bottom = p.Int(15, top);
        if (new[] { left, top, right, bottom }.Any(v => v < 0 || v > GraphBuilder.MaxWindow))
            throw Fail($"padding left {left}, top {top}, right {right}, bottom {bottom} must be in 0..{GraphBuilder.MaxWindow}");
        switch (p.Int(5, 0))
        {
            case 0:
                int tailW = (w + left + right - kw) % sw, tailH = (h + top + bottom - kh) % sh;
                return new Padding(top, left, bottom + (tailH > 0 ? sh - tailH : 0), right + (tailW > 0 ? sw - tailW : 0));
            case 1:
                return new Padding(top, left, bottom, right);
            case 2 or 3:
                return Same(w, h, kw, kh, sw, sh, p.Int(5, 0) == 2);
            default:
                throw Fail($"pad_mode {p.Int(5, 0)} is not 0 (full), 1 (valid), 2 or 3 (same)");
        }
    }

    // SAME: outputs ceil(in / stride); the odd pixel of padding goes after (upper) or before.
    private static Padding Same(int w, int h, int extentW, int extentH, int sw, int sh, bool upper)
    {
        int padW = Math.Max(0, extentW + (w - 1) / sw * sw - w), padH = Math.Max(0, extentH + (h - 1) / sh * sh - h);
        return upper
            ? new Padding(padH / 2, padW / 2, padH - padH / 2, padW - padW / 2)
            : new Padding(padH - padH / 2, padW - padW / 2, padH / 2, padW / 2);
    }
}
