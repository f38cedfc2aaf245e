namespace GpuMobileNet.Tests.Reference;

/// <summary>A second, independently written convolution: materialise the zero-padded input, unfold it
/// into an im2col matrix per group, multiply by the weight matrix. Shares no code with the executor.</summary>
internal static class ConvOracle
{
    public static float[] Run(float[] input, int batch, int inC, int h, int w, float[] weights, float[]? bias,
        int outC, int kh, int kw, int sh, int sw, (int Top, int Left, int Bottom, int Right) pad, int groups,
        float[]? residual, Func<double, double> act)
    {
        int ph = h + pad.Top + pad.Bottom, pw = w + pad.Left + pad.Right;
        int oh = (ph - kh) / sh + 1, ow = (pw - kw) / sw + 1;
        int icg = inC / groups, ocg = outC / groups, patch = icg * kh * kw;
        var output = new float[batch * outC * oh * ow];
        for (int n = 0; n < batch; n++)
        {
            var padded = new double[inC, ph, pw];
            for (int c = 0; c < inC; c++)
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                padded[c, y + pad.Top, x + pad.Left] = input[((n * inC + c) * h + y) * w + x];
            for (int g = 0; g < groups; g++)
            {
                var cols = new double[patch, oh * ow];
                for (int c = 0; c < icg; c++)
                for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    cols[(c * kh + ky) * kw + kx, oy * ow + ox] = padded[g * icg + c, oy * sh + ky, ox * sw + kx];
                for (int o = 0; o < ocg; o++)
                {
                    int oc = g * ocg + o;
                    for (int p = 0; p < oh * ow; p++)
                    {
                        double sum = 0;
                        for (int r = 0; r < patch; r++) sum += weights[oc * patch + r] * cols[r, p];
                        int idx = (n * outC + oc) * oh * ow + p;
                        sum += (bias?[oc] ?? 0) + (residual?[idx] ?? 0);
                        output[idx] = (float)act(sum);
                    }
                }
            }
        }
        return output;
    }
}
