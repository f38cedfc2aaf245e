namespace GpuMobileNet.Import.Tfjs;

/// <summary>Converts Keras (channels-last) weight layouts to the engine's NCHW-world layouts.</summary>
internal static class WeightLayout
{
    /// <summary>Conv2D kernel [KH, KW, In, Out] → OIHW [Out, In, KH, KW].</summary>
    public static float[] HwioToOihw(float[] k, int kh, int kw, int inC, int outC)
    {
        var r = new float[k.Length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < inC; i++)
                    for (int o = 0; o < outC; o++)
                        r[((o * inC + i) * kh + y) * kw + x] = k[((y * kw + x) * inC + i) * outC + o];
        return r;
    }

    /// <summary>DepthwiseConv2D kernel [KH, KW, C, 1] → [C, 1, KH, KW] (OIHW with groups = C).
    /// Read as HWIO with In = C, Out = 1 it converts to [1, C, KH, KW], which has the same memory
    /// order as [C, 1, KH, KW].</summary>
    public static float[] DepthwiseToOihw(float[] k, int kh, int kw, int c) => HwioToOihw(k, kh, kw, c, 1);

    /// <summary>Dense kernel [In, Out] → [Out, In]. When the input came from a Keras Flatten of a
    /// C x H x W tensor with H*W > 1, Keras numbered the inputs in H, W, C order while our flatten
    /// numbers them C, H, W: the columns are permuted so both give the same dot products.</summary>
    public static float[] DenseToOutIn(float[] k, int inF, int outF, (int C, int H, int W)? flattenedFrom)
    {
        var r = new float[k.Length];
        for (int j = 0; j < inF; j++)
        {
            int kerasIn = j;
            if (flattenedFrom is var (c, h, w))
            {
                int ch = j / (h * w), hw = j % (h * w);
                kerasIn = hw * c + ch;
            }
            for (int o = 0; o < outF; o++)
                r[o * inF + j] = k[kerasIn * outF + o];
        }
        return r;
    }
}
