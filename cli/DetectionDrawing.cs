using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using SkiaSharp;

namespace GpuMobileNet.Cli;

/// <summary>Draws detections (box, label and score) over a photo and writes a PNG, with SkiaSharp.</summary>
internal static class DetectionDrawing
{
    private static readonly SKColor[] Palette =
    [
        new(0xE6, 0x19, 0x4B), new(0x3C, 0xB4, 0x4B), new(0x43, 0x63, 0xD8), new(0xF5, 0x82, 0x31),
        new(0x91, 0x1E, 0xB4), new(0x42, 0xD4, 0xF4), new(0xF0, 0x32, 0xE6), new(0xBF, 0xEF, 0x45),
    ];

    /// <summary>Writes <paramref name="image"/> with the boxes (normalised coordinates) drawn on it to <paramref name="path"/>.</summary>
    public static void SavePng(RgbImage image, IReadOnlyList<GpuMobileNet.Detection.Detection> detections, string path)
    {
        using var bitmap = new SKBitmap(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var px = image.Pixels;
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, n = image.Width * image.Height; i < n; i++)
        {
            rgba[4 * i] = px[3 * i];
            rgba[4 * i + 1] = px[3 * i + 1];
            rgba[4 * i + 2] = px[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            float stroke = Math.Max(2, Math.Min(image.Width, image.Height) / 150f);
            using var font = new SKFont(SKTypeface.Default, Math.Max(12, stroke * 6));
            foreach (var d in detections)
            {
                var color = Palette[d.ClassId % Palette.Length];
                var b = d.Box.ToPixels(image.Width, image.Height);
                using var pen = new SKPaint { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, IsAntialias = true };
                canvas.DrawRect(SKRect.Create(b.XMin, b.YMin, b.XMax - b.XMin, b.YMax - b.YMin), pen);
                string text = $"{d.Label} {d.Score:0.00}";
                float width = font.MeasureText(text);
                float top = Math.Max(0, b.YMin - font.Size - 4);
                using var fill = new SKPaint { Color = color, Style = SKPaintStyle.Fill };
                canvas.DrawRect(SKRect.Create(b.XMin, top, width + 8, font.Size + 4), fill);
                using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
                canvas.DrawText(text, b.XMin + 4, top + font.Size, SKTextAlign.Left, font, ink);
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
