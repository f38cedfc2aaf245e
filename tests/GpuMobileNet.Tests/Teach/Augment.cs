using GpuMobileNet.Imaging;

namespace GpuMobileNet.Tests.Teach;

/// <summary>Seeded photo augmentations for teaching tests: a random crop (45-100% of each side, anywhere), a random
/// horizontal flip, brightness x0.6-1.4 and a random output size. A seed fixes one augmentation, so train and test sets
/// split by seed never share an image.</summary>
internal static class Augment
{
    public static RgbImage Apply(RgbImage src, int seed)
    {
        var rng = new Random(seed);
        int cw = (int)(src.Width * (0.45 + 0.55 * rng.NextDouble())), ch = (int)(src.Height * (0.45 + 0.55 * rng.NextDouble()));
        int x0 = rng.Next(src.Width - cw + 1), y0 = rng.Next(src.Height - ch + 1);
        bool flip = rng.Next(2) == 1;
        double gain = 0.6 + 0.8 * rng.NextDouble();
        int w = rng.Next(96, 320), h = rng.Next(96, 320);
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sx = x0 + (flip ? w - 1 - x : x) * cw / w, sy = y0 + y * ch / h;
                for (int c = 0; c < 3; c++)
                    px[(y * w + x) * 3 + c] = (byte)Math.Clamp(src.Pixels[(sy * src.Width + sx) * 3 + c] * gain, 0, 255);
            }
        return new RgbImage(w, h, px);
    }

    /// <summary>Writes a 24-bit BMP (which ImageLoader reads), so CLI tests can use augmented images as files.</summary>
    public static void SaveBmp(RgbImage img, string path)
    {
        int row = (img.Width * 3 + 3) / 4 * 4;
        using var w = new BinaryWriter(File.Create(path));
        w.Write((byte)'B'); w.Write((byte)'M');
        w.Write(54 + row * img.Height); w.Write(0); w.Write(54);
        w.Write(40); w.Write(img.Width); w.Write(img.Height); w.Write((short)1); w.Write((short)24);
        w.Write(0); w.Write(row * img.Height); w.Write(2835); w.Write(2835); w.Write(0); w.Write(0);
        var line = new byte[row];
        for (int y = img.Height - 1; y >= 0; y--) // bottom-up, BGR
        {
            for (int x = 0; x < img.Width; x++)
            {
                int s = (y * img.Width + x) * 3;
                line[3 * x] = img.Pixels[s + 2]; line[3 * x + 1] = img.Pixels[s + 1]; line[3 * x + 2] = img.Pixels[s];
            }
            w.Write(line);
        }
    }
}
