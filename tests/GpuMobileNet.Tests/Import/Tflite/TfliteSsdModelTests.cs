using GpuMobileNet.Bench;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Teach;
using GpuMobileNet.Import.Tflite;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Tflite;

/// <summary>MediaPipe's objectron SSD-MobileNetV2 (fp16 weights) imported from its .tflite and run on the GPU, against
/// TensorFlow Lite's own interpreter (C API) on the same photos: raw outputs within 1e-3 of the output's largest
/// magnitude, and the detections of both (same post-processing) of the same classes with boxes within 2 pixels.</summary>
public class TfliteSsdModelTests : GpuTest
{
    private static readonly Dictionary<string, (float[] Nchw, IReadOnlyDictionary<string, float[]> Tflite)> Cache = [];

    [Test]
    public void OpCountsMatchTheModel()
    {
        var counts = TfliteImporter.OpCounts(TflitePaths.SsdModel);
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["CONCATENATION"] = 2, ["CONV_2D"] = 55, ["DEPTHWISE_CONV_2D"] = 17, ["ADD"] = 10, ["RESHAPE"] = 13, ["DEQUANTIZE"] = 144,
        }));
    }

    [TestCase("astronaut.png")]
    [TestCase("chelsea.png")]
    [TestCase("coffee.png")]
    public void RawOutputsMatchTfliteOnAPhoto(string photo)
    {
        var (nchw, expected) = Reference(photo);
        var graph = TfliteImporter.Load(TflitePaths.SsdModel);
        Assert.That(graph.Outputs.Select(o => o.Name), Is.EquivalentTo(expected.Keys));
        using var session = InferenceSession.Create(graph, Device);
        var gpu = session.Run(new Dictionary<string, float[]> { [graph.Input.Name] = nchw });
        foreach (var (name, want) in expected)
        {
            double tolerance = 1e-3 * want.Max(v => Math.Abs(v));
            GpuVsCpu.AssertClose(gpu[name], want, tolerance, 1e-3, $"{photo} '{name}': GPU vs TFLite");
        }
    }

    /// <summary>The imported network runs as the built-in MobileNetV2 does: every convolution on the packed kernels (the
    /// stem's tiled one, packed 1x1, depthwise and implicit GEMM; dense for those with a 1x1 output), no convolution split
    /// into slices, no naive one.</summary>
    [Test]
    public void EveryConvolutionRunsPackedAsInTheBuiltIns()
    {
        // Block fusion off, as on a CPU device, and no packed depthwise + 1x1 pairs, so that every convolution stays one
        // dispatch of its own on any device.
        var options = new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { FusePackedDepthwisePointwise = false } };
        using var session = InferenceSession.Create(TfliteImporter.Load(TflitePaths.SsdModel), Device, options);
        string[] packed = [Conv2dTiledKernel.Id.Shader, PointwiseConvPackedKernel.Id.Shader, DepthwiseConvPackedKernel.Id.Shader, Conv2dPackedKernel.Id.Shader,
            DenseKernel.Id.Shader, PointwiseConvPackedKernel.ChannelsLastId.Shader];
        // The heads' 1x1s whose outputs TFLite reshapes channels-last store that way (FoldChannelsLastStore).
        var convs = session.Dispatches.Where(d => d.Source is Conv2dOp or ChannelsLastConvOp).ToList();
        Assert.That(convs.Select(d => d.Source!.Name).Distinct().Count(), Is.EqualTo(55 + 17), "one graph convolution per CONV_2D and DEPTHWISE_CONV_2D");
        Assert.That(convs.Select(d => d.Shader).Distinct(), Is.SubsetOf(packed), "convolution kernels");
        Assert.That(session.Dispatches.Select(d => d.Shader), Has.No.Member(SliceChannelsKernel.Id.Shader).And.No.Member(AddKernel.Id.Shader));
        Ran.Kernel(session, Conv2dPackedKernel.Id);
    }

    [Test]
    public void CpuOracleMatchesTflite()
    {
        var (nchw, expected) = Reference("coffee.png");
        var graph = TfliteImporter.Load(TflitePaths.SsdModel);
        var all = ReferenceExecutor.RunAll(graph, nchw);
        foreach (var output in graph.Outputs)
        {
            var want = expected[output.Name];
            GpuVsCpu.AssertClose(all[output], want, 1e-3 * want.Max(v => Math.Abs(v)), 1e-3, $"coffee '{output.Name}': CPU oracle vs TFLite");
        }
    }

    /// <summary>The expected object is found, and every TFLite detection has a GPU twin of its class within 2 pixels.</summary>
    [TestCase("astronaut.png", "Person")]
    [TestCase("chelsea.png", "Cat")]
    [TestCase("coffee.png", "Mug|Coffee cup")]
    public void DetectionsMatchTflite(string photo, string expectedClass)
    {
        var labels = Labels.LoadLabels(TflitePaths.SsdLabels);
        using var detector = SsdDetector.Load(TflitePaths.SsdModel, Device, labels);
        var image = ImageLoader.Load(TestPaths.Photo(photo));
        var (_, tflite) = Reference(photo);
        var want = detector.Postprocessor.Process(tflite["raw_outputs/box_encodings"], tflite["raw_outputs/class_predictions"]);
        var got = detector.Detect(image).Detections;
        TestContext.Out.WriteLine($"{photo}: GPU {string.Join("; ", got)}\n{photo}: TFLite {string.Join("; ", want)}");
        Assert.That(got.Select(d => d.Label), Has.Some.Matches<string>(l => expectedClass.Split('|').Contains(l)), $"{photo}: no {expectedClass}");
        Assert.That(got, Has.Count.EqualTo(want.Count), $"{photo}: detection count");
        foreach (var w in want)
        {
            var pw = w.Box.ToPixels(image.Width, image.Height);
            bool twin = got.Any(g => g.ClassId == w.ClassId && Within(g.Box.ToPixels(image.Width, image.Height), pw, 2));
            Assert.That(twin, $"{photo}: TFLite's {w} has no GPU detection of its class within 2 px");
        }
    }

    /// <summary>A frame is resized and normalised on the device (preprocess_rgba8) and gives the detections of the
    /// host-preprocessed tensor: the same classes, boxes within 1 pixel.</summary>
    [Test]
    public void DetectPreprocessesTheFrameOnTheDevice()
    {
        using var detector = SsdDetector.Load(TflitePaths.SsdModel, Device, Labels.LoadLabels(TflitePaths.SsdLabels));
        var image = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        var got = detector.Detect(FeatureExtractor.ToRgba(image), image.Width, image.Height, 0.3f).Detections;
        Ran.Kernel(detector.PreprocessDispatches, PreprocessRgba8Kernel.Id);
        var (boxes, classes) = detector.RunRaw(detector.Preprocess(image));
        var want = detector.Postprocessor.Process(boxes, classes, 0.3f);
        Assert.That(want, Is.Not.Empty, "the host-preprocessed run finds something");
        Assert.That(got.Select(d => d.ClassId), Is.EqualTo(want.Select(d => d.ClassId)), "classes, best first");
        for (int i = 0; i < want.Count; i++)
            Assert.That(Within(got[i].Box.ToPixels(image.Width, image.Height), want[i].Box.ToPixels(image.Width, image.Height), 1), $"{want[i]} vs {got[i]}");
    }

    private static bool Within(Box a, Box b, float px) =>
        Math.Abs(a.XMin - b.XMin) <= px && Math.Abs(a.YMin - b.YMin) <= px && Math.Abs(a.XMax - b.XMax) <= px && Math.Abs(a.YMax - b.YMax) <= px;

    /// <summary>The photo as the detector preprocesses it, and TFLite's outputs for it (computed once per photo).</summary>
    private static (float[] Nchw, IReadOnlyDictionary<string, float[]> Tflite) Reference(string photo)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(photo, out var hit)) return hit;
            var nchw = ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo(photo)), 300, 300, 1 / 127.5f, [1, 1, 1], [1, 1, 1]);
            using var tflite = new TfliteBaseline(TflitePaths.Library, File.ReadAllBytes(TflitePaths.SsdModel), 2);
            var result = (nchw, tflite.Run(TflitePaths.ToNhwc(nchw, 3, 300, 300)));
            Cache[photo] = result;
            return result;
        }
    }
}
