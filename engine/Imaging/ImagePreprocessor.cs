namespace GpuMobileNet.Imaging;

/// <summary>CPU image → network input tensor. The numerics copy nsfwjs 4.3.0 (NSFWJS.infer in
/// dist/cjs/core.js): <c>img.toFloat().div(255)</c>, then, only when the size differs,
/// <c>tf.image.resizeBilinear(x, [size, size], alignCorners = true)</c> with halfPixelCenters false,
/// i.e. no aspect-ratio crop: the whole image is stretched. The interpolation below is the same
/// arithmetic as tfjs's CPU ResizeBilinear kernel (double precision, stored as float32).
/// Thread-safety: thread-safe (pure functions).</summary>
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
        // No float copy of the whole image: each tap is normalised from the bytes where it is read, with the same
        // float32 arithmetic the copy used to have, so the result is unchanged and a large photo costs only its
        // bytes and the output tensor.
        byte[] px = img.Pixels;
        int inH = img.Height, inW = img.Width;
        var dst = new float[checked(3 * height * width)];
        // alignCorners: the corner pixels of input and output coincide, so the step is (in-1)/(out-1).
        double rowRatio = height > 1 ? (double)(inH - 1) / (height - 1) : inH / (double)height;
        double colRatio = width > 1 ? (double)(inW - 1) / (width - 1) : inW / (double)width;
        for (int c = 0; c < 3; c++)
        {
            float m = mean?[c] ?? 0f, sd = std?[c] ?? 1f;
            double Tap(int y, int x) => (px[3 * ((long)y * inW + x) + c] * scale - m) / sd;
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
                    double tl = Tap(y0, x0), tr = Tap(y0, x1), bl = Tap(y1, x0), br = Tap(y1, x1);
                    double top = tl + (tr - tl) * dx, bottom = bl + (br - bl) * dx;
                    dst[(c * height + y) * width + x] = (float)(top + (bottom - top) * dy);
                }
            }
        }
        return dst;
    }
}
