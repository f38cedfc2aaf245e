using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Cli;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Session;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Imaging;

/// <summary>Centre crop and letterbox: the fitted frame has the model's aspect, holds the centre of the image (crop) or
/// the whole image between equal black bars (letterbox), and the device path (RGBA8 frame fitted, then stretched and
/// normalised on the GPU) gives what the CPU oracle gives on the CPU-fitted and CPU-stretched image.</summary>
public class ResizeModeTests : GpuTest
{
    private static RgbImage RandomImage(int w, int h, int seed)
    {
        var pixels = new byte[w * h * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(w, h, pixels);
    }

    // Worked by hand: 53x31 to a square keeps the centre 31x31 (11 columns cut on the left) or pads to 53x53 (11 rows on top).
    [TestCase(53, 31, 16, 16, ResizeMode.Crop, 31, 31, 11, 0)]
    [TestCase(53, 31, 16, 16, ResizeMode.Letterbox, 53, 53, 0, 11)]
    [TestCase(29, 47, 40, 20, ResizeMode.Crop, 29, 15, 0, 16)]
    [TestCase(29, 47, 40, 20, ResizeMode.Letterbox, 94, 47, 32, 0)]
    [TestCase(60, 30, 40, 20, ResizeMode.Crop, 60, 30, 0, 0)]
    [TestCase(53, 31, 16, 16, ResizeMode.Stretch, 53, 31, 0, 0)]
    public void GeometryKeepsTheCentreAtTheTargetAspect(int w, int h, int outW, int outH, ResizeMode mode, int fw, int fh, int dx, int dy)
    {
        Assert.That(FrameFit.Geometry(w, h, outW, outH, mode), Is.EqualTo((fw, fh, dx, dy)));
        var image = RandomImage(w, h, 3);
        var fitted = FrameFit.Fit(image, outW, outH, mode);
        Assert.That((fitted.Width, fitted.Height), Is.EqualTo((fw, fh)));
        for (int y = 0; y < fh; y++)
            for (int x = 0; x < fw; x++)
            {
                // Crop: fitted pixel (x, y) is the image's (x + dx, y + dy); letterbox: the image's (x - dx, y - dy), or black outside it.
                int sx = mode == ResizeMode.Letterbox ? x - dx : x + dx, sy = mode == ResizeMode.Letterbox ? y - dy : y + dy;
                bool inside = sx >= 0 && sy >= 0 && sx < w && sy < h;
                for (int c = 0; c < 3; c++)
                    Assert.That(fitted.Pixels[3 * (y * fw + x) + c], Is.EqualTo(inside ? image.Pixels[3 * (sy * w + sx) + c] : 0), $"({x}, {y}) channel {c}");
            }
    }

    [Test]
    public void DevicePathMatchesTheCpuOracle([Values] ResizeMode mode, [Values(61, 97)] int width)
    {
        var graph = IoBindingSourceTests.Classifier();
        using var extractor = new FeatureExtractor(graph, Device);
        var image = RandomImage(width, 41, width);
        extractor.Run(FeatureExtractor.ToRgba(image), image.Width, image.Height, null, mode);
        var input = graph.Input.Shape;
        var expected = ReferenceExecutor.Run(graph, ImagePreprocessor.ToTensor(FrameFit.Fit(image, input.W, input.H, mode), input.W, input.H));
        GpuVsCpu.AssertClose(extractor.Scores.ToArray(), expected, 1e-4, 1e-3, $"{mode}, {width}x41");
        if (mode != ResizeMode.Stretch)
        {
            var stretched = ReferenceExecutor.Run(graph, ImagePreprocessor.ToTensor(image, input.W, input.H));
            Assert.That(stretched.Zip(expected).Max(p => Math.Abs(p.First - p.Second)), Is.GreaterThan(1e-3), "the mode changes the input");
        }
    }

    [Test]
    public void DetectionBoxesMapBackToTheImage()
    {
        // 53x31 to a square: letterbox puts the image at rows 11..42 of 53; crop keeps columns 11..42 of 53.
        var imageInLetterbox = new Box(0, 11 / 53f, 1, 42 / 53f).Unfit(53, 31, 16, 16, ResizeMode.Letterbox);
        Assert.That(new[] { imageInLetterbox.XMin, imageInLetterbox.YMin, imageInLetterbox.XMax, imageInLetterbox.YMax }, Is.EqualTo(new[] { 0f, 0f, 1f, 1f }).Within(1e-6f));
        var wholeCrop = new Box(0, 0, 1, 1).Unfit(53, 31, 16, 16, ResizeMode.Crop);
        Assert.That(new[] { wholeCrop.XMin, wholeCrop.YMin, wholeCrop.XMax, wholeCrop.YMax }, Is.EqualTo(new[] { 11 / 53f, 0f, 42 / 53f, 1f }).Within(1e-6f));
        Assert.That(new Box(0.1f, 0.2f, 0.3f, 0.4f).Unfit(53, 31, 16, 16, ResizeMode.Stretch), Is.EqualTo(new Box(0.1f, 0.2f, 0.3f, 0.4f)));
    }

    [Test]
    public void ClassifyRefusesAnUnknownResizeMode()
    {
        var r = GmnProcess.Run("classify", TestPaths.Photo("rocket.jpg"), "--resize", "squash");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.StdErr);
        Assert.That(r.StdErr, Does.Contain("--resize 'squash': expected stretch, crop or letterbox"));
    }
}
