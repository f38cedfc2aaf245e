using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Transposed convolution written as ONNX defines it, a scatter: every input pixel adds its weighted kernel
/// to the output (the GPU kernel gathers instead, so the two are independent derivations).</summary>
internal static class ConvTransposeReference
{
    public static float[] Run(ConvTransposeOp op, float[] input, int batch)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int inPerGroup = i.C / op.Groups, outPerGroup = o.C / op.Groups, kh = op.KernelH, kw = op.KernelW;
        var sums = new double[o.Elements];
        var output = new float[batch * o.Elements];
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < o.C; oc++)
                for (int p = 0; p < o.H * o.W; p++) sums[oc * o.H * o.W + p] = op.Bias?[oc] ?? 0.0;
            for (int ic = 0; ic < i.C; ic++)
            {
                int g = ic / inPerGroup;
                for (int iy = 0; iy < i.H; iy++)
                    for (int ix = 0; ix < i.W; ix++)
                    {
                        double v = input[((n * i.C + ic) * i.H + iy) * i.W + ix];
                        for (int ocg = 0; ocg < outPerGroup; ocg++)
                        {
                            int oc = g * outPerGroup + ocg;
                            for (int ky = 0; ky < kh; ky++)
                            {
                                int oy = iy * op.StrideH - op.PadTop + ky * op.DilationH;
                                if (oy < 0 || oy >= o.H) continue;
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int ox = ix * op.StrideW - op.PadLeft + kx * op.DilationW;
                                    if (ox < 0 || ox >= o.W) continue;
                                    sums[(oc * o.H + oy) * o.W + ox] += v * op.Weights[((ic * outPerGroup + ocg) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
            }
            for (int e = 0; e < o.Elements; e++) output[n * o.Elements + e] = (float)sums[e];
        }
        return output;
    }
}
