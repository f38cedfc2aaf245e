using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/preprocess_rgba8.comp through <see cref="InferenceSession.RunRgba8"/>: a ReLU graph (the identity
/// on values in [0, 1]) returns the preprocessed input, compared with <see cref="ImagePreprocessor.ToTensor"/> on real
/// photos cropped to awkward sizes, stretched up, down and to odd sizes; abs tolerance 1e-5.</summary>
public class PreprocessRgba8KernelTests : GpuTest
{
    [TestCase("chelsea.png", 451, 300, 224, 224)]  // down, whole photo
    [TestCase("coffee.png", 37, 29, 224, 224)]     // up from an odd crop
    [TestCase("astronaut.png", 512, 512, 97, 61)]   // down to odd, aspect changes
    [TestCase("rocket.jpg", 5, 3, 13, 7)]           // tiny up
    [TestCase("camera.png", 1, 1, 8, 8)]            // one pixel
    [TestCase("chelsea.png", 64, 48, 1, 1)]         // one output pixel
    [TestCase("coffee.png", 160, 160, 160, 160)]    // same size
    public void MatchesTheCpuPreprocessing(string photo, int w, int h, int outW, int outH)
    {
        var image = Crop(ImageLoader.Load(TestPaths.Photo(photo)), w, h);
        var expected = ImagePreprocessor.ToTensor(image, outW, outH);
        var graph = SmallOpGraphs.Build("identity", new TensorShape(3, outH, outW), (b, x) => b.Activate("relu", x, Activation.Relu));
        using var session = InferenceSession.Create(graph, Device);
        var actual = new float[session.OutputLength];
        session.RunRgba8(ToRgba(image), image.Width, image.Height, actual);
        Ran.Kernel(session.Rgba8Dispatches, PreprocessRgba8Kernel.Id);
        AssertWithin(actual, expected, 1e-5, $"{photo} {w}x{h} -> {outW}x{outH}");
    }

    [Test]
    public void NormalisesWithMeanAndStd()
    {
        var image = Crop(ImageLoader.Load(TestPaths.Photo("astronaut.png")), 100, 80);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var expected = ImagePreprocessor.ToTensor(image, 64, 64, 1 / 255f, mean, std);
        var graph = SmallOpGraphs.Build("identity", new TensorShape(3, 64, 64), (b, x) => b.Activate("relu", x, Activation.Relu));
        using var session = InferenceSession.Create(graph, Device);
        var actual = new float[session.OutputLength];
        session.RunRgba8(ToRgba(image), image.Width, image.Height, actual, new Rgba8Normalisation(1 / 255f, mean, std));
        Ran.Kernel(session.Rgba8Dispatches, PreprocessRgba8Kernel.Id);
        // ReLU clips what the normalisation made negative: compare against the clipped CPU values.
        AssertWithin(actual, expected.Select(v => Math.Max(v, 0f)).ToArray(), 1e-5, "mean/std");
    }

    [Test]
    public void SmallerFramesAfterALargerOneReuseTheBufferAndStayExact()
    {
        var graph = SmallOpGraphs.Build("identity", new TensorShape(3, 32, 32), (b, x) => b.Activate("relu", x, Activation.Relu));
        using var session = InferenceSession.Create(graph, Device);
        var photo = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        foreach (var (w, h) in new[] { (40, 30), (300, 200), (17, 90), (300, 200) })
        {
            var image = Crop(photo, w, h);
            var actual = new float[session.OutputLength];
            session.RunRgba8(ToRgba(image), w, h, actual);
            AssertWithin(actual, ImagePreprocessor.ToTensor(image, 32, 32), 1e-5, $"{w}x{h}");
        }
    }

    [Test]
    public void RejectsAFrameWhoseLengthDoesNotMatchItsSize()
    {
        var graph = SmallOpGraphs.Build("identity", new TensorShape(3, 8, 8), (b, x) => b.Activate("relu", x, Activation.Relu));
        using var session = InferenceSession.Create(graph, Device);
        var e = Assert.Throws<ArgumentException>(() => session.RunRgba8(new byte[10], 2, 2, new float[session.OutputLength]));
        Assert.That(e!.Message, Does.Contain("2x2").And.Contain("16 bytes"));
    }

    /// <summary>The top-left w x h of the photo (tiled when the photo is smaller), keeping real image content.</summary>
    internal static RgbImage Crop(RgbImage src, int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    px[(y * w + x) * 3 + c] = src.Pixels[((y % src.Height) * src.Width + x % src.Width) * 3 + c];
        return new RgbImage(w, h, px);
    }

    internal static byte[] ToRgba(RgbImage img)
    {
        var rgba = new byte[img.Width * img.Height * 4];
        for (int i = 0; i < img.Width * img.Height; i++)
        {
            rgba[4 * i] = img.Pixels[3 * i];
            rgba[4 * i + 1] = img.Pixels[3 * i + 1];
            rgba[4 * i + 2] = img.Pixels[3 * i + 2];
            rgba[4 * i + 3] = (byte)(i * 7); // alpha must be ignored
        }
        return rgba;
    }

    private static void AssertWithin(float[] actual, float[] expected, double tol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        int worst = 0;
        for (int i = 0; i < actual.Length; i++)
            if (Math.Abs(actual[i] - expected[i]) > Math.Abs(actual[worst] - expected[worst])) worst = i;
        Assert.That(Math.Abs(actual[worst] - expected[worst]), Is.LessThanOrEqualTo(tol),
            $"{what}: worst at [{worst}] got {actual[worst]} expected {expected[worst]}");
    }
}
