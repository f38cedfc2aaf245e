namespace GpuMobileNet.Imaging;

/// <summary>CPU image → network input tensor. The numerics copy nsfwjs 4.3.0 (NSFWJS.infer in
/// dist/cjs/core.js): <c>img.toFloat().div(255)</c>, then, only when the size differs,
/// <c>tf.image.resizeBilinear(x, [size, size], alignCorners = true)</c> with halfPixelCenters false,
/// i.e. no aspect-ratio crop: the whole image is stretched. The interpolation below is the same
/// arithmetic as tfjs's CPU ResizeBilinear kernel (double precision, stored as float32).</summary>
public static class ImagePreprocessor
{
    /// <summary>Resizes <paramref name="img"/> to <paramref name="width"/> x <paramref name="height"/> and
    /// returns a [3, height, width] NCHW tensor with value = (pixel * scale - mean[c]) / std[c]
    /// (mean 0 and std 1 when not given). Normalisation happens before resizing, as in nsfwjs.</summary>
    public static float[] ToTensor(RgbImage img, int width, int height, float scale = 1 / 255f, float[]? mean = null, float[]? std = null)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"target size {width}x{height} must be positive");
        if (mean is { Length: not 3 } || std is { Length: not 3 })
            throw new ArgumentException("mean and std need one value per channel (3)");
        var src = Normalise(img, scale, mean, std);
        int inH = img.Height, inW = img.Width;
        var dst = new float[3 * height * width];
        // alignCorners: the corner pixels of input and output coincide, so the step is (in-1)/(out-1).
        double rowRatio = height > 1 ? (double)(inH - 1) / (height - 1) : inH / (double)height;
        double colRatio = width > 1 ? (double)(inW - 1) / (width - 1) : inW / (double)width;
        for (int y = 0; y < height; y++)
        {
            double fy = rowRatio * y;
            int y0 = Math.Max(0, (int)Math.Floor(fy)), y1 = Math.Min(inH - 1, (int)Math.Ceiling(fy));
            double dy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = colRatio * x;
                int x0 = Math.Max(0, (int)Math.Floor(fx)), x1 = Math.Min(inW - 1, (int)Math.Ceiling(fx));
                double dx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    int plane = c * inH * inW;
                    double tl = src[plane + y0 * inW + x0], tr = src[plane + y0 * inW + x1];
                    double bl = src[plane + y1 * inW + x0], br = src[plane + y1 * inW + x1];
                    double top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
                    dst[(c * height + y) * width + x] = (float)(top + (bottom - top) * dy);
                }
            }
        }
        return dst;
    }

    // Interleaved bytes → planar float32 with the per-channel affine map applied.
    private static float[] Normalise(RgbImage img, float scale, float[]? mean, float[]? std)
    {
        int n = img.Width * img.Height;
        var planes = new float[3 * n];
        for (int c = 0; c < 3; c++)
        {
            float m = mean?[c] ?? 0f, s = std?[c] ?? 1f;
            for (int i = 0; i < n; i++)
                planes[c * n + i] = (img.Pixels[3 * i + c] * scale - m) / s;
        }
        return planes;
    }
}
