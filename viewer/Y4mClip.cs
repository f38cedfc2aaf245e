using GpuMobileNet.Imaging;

namespace GpuMobileNet.Viewer;

/// <summary>Writes a YUV4MPEG2 clip (what Chromium's fake camera plays: --use-file-for-fake-video-capture) of a photo
/// slowly panned and zoomed: header "YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg", then per frame "FRAME\n" and the Y, U
/// and V planes (JPEG full-range BT.601, chroma averaged over 2x2).</summary>
public static class Y4mClip
{
    public static string Write(string directory, string photoPath, int frames = 30, int width = 320, int height = 240)
    {
        var image = ImageLoader.Load(photoPath);
        var path = Path.Combine(directory, Path.GetFileNameWithoutExtension(photoPath) + ".y4m");
        using var f = File.Create(path);
        f.Write(System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n"));
        var y = new byte[width * height];
        var u = new byte[width / 2 * (height / 2)];
        var v = new byte[u.Length];
        var rgb = new double[width * height * 3];
        for (int n = 0; n < frames; n++)
        {
            // Crop window shrinks to 80% and drifts right over the clip: the content moves like a hand-held camera.
            double t = frames > 1 ? (double)n / (frames - 1) : 0, zoom = 1 - 0.2 * t;
            double cw = image.Width * zoom, ch = image.Height * zoom, x0 = (image.Width - cw) * t, y0 = (image.Height - ch) * 0.5;
            for (int py = 0; py < height; py++)
                for (int px = 0; px < width; px++)
                {
                    int sx = Math.Min(image.Width - 1, (int)(x0 + px * cw / width)), sy = Math.Min(image.Height - 1, (int)(y0 + py * ch / height));
                    int i = (py * width + px) * 3, s = (sy * image.Width + sx) * 3;
                    double r = image.Pixels[s], g = image.Pixels[s + 1], b = image.Pixels[s + 2];
                    rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
                    y[py * width + px] = Clamp(0.299 * r + 0.587 * g + 0.114 * b);
                }
            for (int cy = 0; cy < height / 2; cy++)
                for (int cx = 0; cx < width / 2; cx++)
                {
                    double r = 0, g = 0, b = 0;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                        {
                            int i = ((2 * cy + dy) * width + 2 * cx + dx) * 3;
                            r += rgb[i] / 4; g += rgb[i + 1] / 4; b += rgb[i + 2] / 4;
                        }
                    u[cy * (width / 2) + cx] = Clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
                    v[cy * (width / 2) + cx] = Clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
                }
            f.Write("FRAME\n"u8);
            f.Write(y);
            f.Write(u);
            f.Write(v);
        }
        return path;
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
