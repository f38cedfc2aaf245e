using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>The whole nsfwjs network fed an RGBA8 frame equals the float path fed the CPU-preprocessed photo.</summary>
public class RunRgba8Tests : GpuTest
{
    [Test]
    public void NsfwjsOnAPhotoMatchesTheFloatPath()
    {
        var graph = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        using var session = InferenceSession.Create(graph, Device);
        var photo = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        var expected = session.Run(ImagePreprocessor.ToTensor(photo, 224, 224));
        var actual = new float[session.OutputLength];
        var result = session.RunRgba8(PreprocessRgba8KernelTests.ToRgba(photo), photo.Width, photo.Height, actual);
        Assert.That(actual, Is.EqualTo(expected).Within(1e-5), "probabilities");
        var (pre, net) = (result.InputGpuMs, result.NetworkGpuMs);
        if (Device.SupportsTimestamps) Assert.That(pre > 0 && net > 0, $"GPU times {pre} / {net} ms");
    }

    [Test]
    public void RecordsOnceAndAgainOnlyForALargerFrame()
    {
        var graph = GpuMobileNet.Models.ModelZoo.Create("mobilenet_v1", 0.25, 64, 10, GpuMobileNet.Models.WeightInit.Random(2));
        using var session = InferenceSession.Create(graph, Device);
        var photo = ImageLoader.Load(TestPaths.Photo("coffee.png"));
        var output = new float[session.OutputLength];
        void Run(int w, int h)
        {
            var frame = PreprocessRgba8KernelTests.Crop(photo, w, h);
            session.RunRgba8(PreprocessRgba8KernelTests.ToRgba(frame), w, h, output);
        }
        Run(100, 80);
        long afterFirst = Device.ObjectsCreated;
        for (int i = 0; i < 5; i++) Run(100 - i * 7, 80 + i); // same or fewer bytes: replays
        Assert.That(Device.ObjectsCreated, Is.EqualTo(afterFirst), "frames that fit the buffer create no Vulkan objects");
        Run(300, 200);
        Assert.That(Device.ObjectsCreated, Is.GreaterThan(afterFirst), "a larger frame gets a larger buffer");
        long afterGrow = Device.ObjectsCreated;
        Run(120, 90);
        Assert.That(Device.ObjectsCreated, Is.EqualTo(afterGrow));
        var expected = session.Run(ImagePreprocessor.ToTensor(PreprocessRgba8KernelTests.Crop(photo, 120, 90), 64, 64));
        Assert.That(output, Is.EqualTo(expected).Within(1e-5), "after the buffer grew, results still match the float path");
    }
}
