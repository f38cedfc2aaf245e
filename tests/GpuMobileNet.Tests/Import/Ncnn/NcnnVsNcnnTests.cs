using System.Diagnostics;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>benchncnn's models against ncnn itself: seeded random weights written as a .bin (NcnnImporter.WriteRandomWeights),
/// the same .param and .bin through ncnn_run (ncnn's CPU path, fp32) and through our import on the GPU, the same
/// seeded input; every output (for a detector, every input of its host layers) must agree within 1e-4 of its range. Inputs are the smallest each graph allows.</summary>
public class NcnnVsNcnnTests : GpuTest
{
    [TestCase("mobilenet", 64, 64)]
    [TestCase("mobilenet_v2", 64, 64)]
    [TestCase("mobilenet_v3", 64, 64)]
    [TestCase("shufflenet", 64, 64)]
    [TestCase("shufflenet_v2", 64, 64)]
    [TestCase("squeezenet", 67, 67)]
    [TestCase("mnasnet", 64, 64)]
    [TestCase("proxylessnasnet", 64, 64)]
    [TestCase("efficientnet_b0", 64, 64)]
    [TestCase("regnety_400m", 64, 64)]
    [TestCase("efficientnetv2_b0", 64, 64)]
    [TestCase("blazeface", 128, 128)]
    [TestCase("yolo-fastestv2", 96, 96)]
    [TestCase("FastestDet", 96, 96)]
    [TestCase("nanodet_m", 64, 64)] // its trailing "Noop Output" line is ignored, as ncnn ignores it
    [TestCase("mobilenet_yolo", 64, 64)] // a grouped DeconvolutionDepthWise (1024 -> 512 channels in 512 groups)
    [TestCase("yolov4-tiny", 416, 416)] // its Crop layers fix the size; leaky ReLU fused, 255-channel heads padded to quads; its YOLO layer's inputs
    [TestCase("mobilenetv2_yolov3", 96, 96)]
    [TestCase("squeezenet_ssd", 300, 300)] // 126-channel 3x3 heads padded onto Winograd; the network's outputs
    public void MatchesNcnn(string model, int w, int h) => Compare(model, w, h);

    /// <summary>ResNet-18 needs 200x200 (its 7x7 average pool must fit); its dense convolutions run on conv2d_packed and
    /// Winograd.</summary>
    [Test]
    public void ResNet18MatchesNcnn() => Compare("resnet18", 200, 200);

    /// <summary>GoogLeNet needs 224x224 (its 7x7 average pool must fit).</summary>
    [Test]
    public void GoogLeNetMatchesNcnn() => Compare("googlenet", 224, 224);

    /// <summary>AlexNet needs 227x227 (its fc6 reads 256 x 6 x 6). Its fc6 (9216 x 4096, 151 MB in fp32) exceeds lavapipe's
    /// 128 MiB storage range, so the real model runs split (SplitLargeWeights) with its weights in several buffers.</summary>
    [Test]
    public void AlexNetMatchesNcnnWithItsWeightsInSeveralBuffers() => Compare(NcnnPeer.Param("alexnet"), "alexnet", 227, 227, inspect: s =>
    {
        Assert.That(s.WeightBuffers, Is.GreaterThan(1), "235 MB of weights in pages of at most 128 MiB");
        Assert.That(s.Graph.Nodes.Count(n => n.Name.StartsWith("fc6", StringComparison.Ordinal) && n.Name.Contains("/part")), Is.GreaterThan(1), "fc6 split");
    });

    /// <summary>ResNet-50 at 200x200, as ResNet-18 (its 7x7 average pool must fit): 1x1 bottlenecks, Winograd 3x3s.</summary>
    [Test]
    public void ResNet50MatchesNcnn() => Compare("resnet50", 200, 200);

    private static void Compare(string model, int w, int h) => Compare(NcnnPeer.Param(model), model, w, h);

    /// <summary>Compares every output of <paramref name="param"/> with ncnn's, at input size <paramref name="w"/> x <paramref name="h"/>.</summary>
    internal static void Compare(string param, string model, int w, int h, int seed = 1, Action<InferenceSession>? inspect = null)
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TempDir();
        var imported = NcnnImporter.Load(param, null, new NcnnImportOptions { InputWidth = w, InputHeight = h });
        int c = imported.Graph.Input.Shape.C;
        var (bin, inputFile, input) = NcnnPeer.Prepare(dir, param, c, w, h, seed);
        imported = NcnnImporter.Load(param, bin, new NcnnImportOptions { InputWidth = w, InputHeight = h });
        // A model ending in host layers (a detector) is compared at the network's outputs, the host layers' inputs.
        var outputs = imported.HostSteps.Count > 0 ? imported.Graph.Outputs.Select(o => o.Name).ToList() : null;
        var expected = NcnnPeer.Run(param, bin, inputFile, w, h, c, outputs);
        var ncnnTime = clock.Elapsed;
        using var session = InferenceSession.Create(imported.Graph, SharedDevice.Instance);
        inspect?.Invoke(session);
        var actual = session.Run(new Dictionary<string, float[]> { [imported.Graph.Input.Name] = input });
        Assert.That(expected.Keys, Is.EquivalentTo(imported.Graph.Outputs.Select(o => o.Name)), "output blobs");
        foreach (var (name, want) in expected)
        {
            double range = want.Max() - want.Min();
            GpuVsCpu.AssertClose(actual[name], want, 1e-4 * Math.Max(range, 1e-6), 0, $"{model} {w}x{h} output '{name}' (range {range:G3}) GPU vs ncnn");
        }
        TestContext.Out.WriteLine($"{model} {w}x{h}: {clock.Elapsed.TotalSeconds:F1} s (ncnn and weights {ncnnTime.TotalSeconds:F1} s)");
    }
}
