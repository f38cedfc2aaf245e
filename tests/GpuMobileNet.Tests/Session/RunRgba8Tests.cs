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
        session.RunRgba8(PreprocessRgba8KernelTests.ToRgba(photo), photo.Width, photo.Height, actual);
        Assert.That(actual, Is.EqualTo(expected).Within(1e-5), "probabilities");
        var (pre, net) = session.LastRgba8GpuTimes;
        if (Device.SupportsTimestamps) Assert.That(pre > 0 && net > 0, $"GPU times {pre} / {net} ms");
    }
}
