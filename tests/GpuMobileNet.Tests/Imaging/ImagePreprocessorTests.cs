using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Imaging;

/// <summary>Tiny images whose resized values follow from the align-corners bilinear rule by hand:
/// output pixel (y, x) samples the source at (y*(inH-1)/(outH-1), x*(inW-1)/(outW-1)).</summary>
public class ImagePreprocessorTests
{
    private const float Eps = 1e-6f;

    [Test]
    public void UpscalesTwoByTwoToThreeByThreeThroughTheCorners()
    {
        // R = [[0, 100], [200, 50]], G = 10 everywhere, B = 255 everywhere.
        var img = Image(2, 2, (0, 10, 255), (100, 10, 255), (200, 10, 255), (50, 10, 255));
        var t = ImagePreprocessor.ToTensor(img, 3, 3, scale: 1f);
        float[] expectedR =
        [
            0, 50, 100,
            100, 87.5f, 75, // centre: mean of all four
            200, 125, 50,
        ];
        Assert.That(t, Has.Length.EqualTo(27));
        Assert.That(t[..9], Is.EqualTo(expectedR).Within(Eps));
        Assert.That(t[9..18], Is.All.EqualTo(10f).Within(Eps), "plane 1 is green (NCHW)");
        Assert.That(t[18..], Is.All.EqualTo(255f).Within(Eps), "plane 2 is blue");
    }

    [Test]
    public void DownscaleKeepsTheEndPixelsInsteadOfAveraging()
    {
        // Row of 4 red values → 2: align corners samples source x = 0 and x = 3 exactly
        // (half-pixel centres would give 0.5 and 2.5, i.e. 10 and 30 here).
        var img = Image(4, 1, (0, 0, 0), (20, 0, 0), (20, 0, 0), (40, 0, 0));
        var t = ImagePreprocessor.ToTensor(img, 2, 1, scale: 1f);
        Assert.That(t[..2], Is.EqualTo(new[] { 0f, 40f }).Within(Eps));
    }

    [Test]
    public void StretchesWithoutKeepingAspect()
    {
        // 3 wide, 1 high → 2x2: both rows equal, columns are the two end pixels.
        var img = Image(3, 1, (30, 0, 0), (60, 0, 0), (90, 0, 0));
        var t = ImagePreprocessor.ToTensor(img, 2, 2, scale: 1f);
        Assert.That(t[..4], Is.EqualTo(new[] { 30f, 90f, 30f, 90f }).Within(Eps));
    }

    [Test]
    public void SameSizeDefaultScaleIsPixelOver255()
    {
        var img = Image(1, 2, (255, 0, 51), (102, 204, 0));
        var t = ImagePreprocessor.ToTensor(img, 1, 2);
        Assert.That(t, Is.EqualTo(new[] { 1f, 0.4f, 0f, 0.8f, 0.2f, 0f }).Within(Eps));
    }

    [Test]
    public void MeanAndStdApplyPerChannel()
    {
        var img = Image(1, 1, (10, 20, 30));
        var t = ImagePreprocessor.ToTensor(img, 1, 1, scale: 1f, mean: [1, 2, 3], std: [3, 2, 1]);
        Assert.That(t, Is.EqualTo(new[] { 3f, 9f, 27f }).Within(Eps));
    }

    private static RgbImage Image(int w, int h, params (byte R, byte G, byte B)[] px) =>
        new(w, h, px.SelectMany(p => new[] { p.R, p.G, p.B }).ToArray());
}
