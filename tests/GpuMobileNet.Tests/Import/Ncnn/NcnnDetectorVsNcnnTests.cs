using System.Diagnostics;
using System.Globalization;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Tests.Detection.Host;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>benchncnn's detectors end to end against ncnn itself: seeded random weights (NcnnImporter.WriteRandomWeights),
/// a seeded photo of the input's size (so stretching it is the identity) through NcnnDetector (network on the GPU, then
/// the host layers) and the same tensor through ncnn_run (ncnn's CPU path). The detection layer's confidence threshold
/// is lowered in a copy of the .param, as random weights score low, so that both sides find boxes; the rows must agree
/// by class, score (1e-4) and IoU (at least 0.99).</summary>
public class NcnnDetectorVsNcnnTests : GpuTest
{
    /// <param name="model">A .param of the peer's list.</param>
    /// <param name="thresholdId">The detection layer's confidence threshold param id (ncnn's operation-param-weight-table).</param>
    /// <param name="threshold">The lowered threshold: chosen so that these seeded weights give a handful of boxes.</param>
    [TestCase("mobilenet_ssd", "DetectionOutput", 4, 0.08f)]
    [TestCase("yolo-fastest-1.1", "Yolov3DetectionOutput", 2, 0.45f)]
    public void DetectsWhatNcnnDetects(string model, string detectionLayer, int thresholdId, float threshold)
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TempDir();
        var (param, output) = WithThreshold(NcnnPeer.Param(model), dir.File(model + ".param"), detectionLayer, thresholdId, threshold);
        var bin = dir.File(model + ".bin");
        NcnnImporter.WriteRandomWeights(param, bin, seed: 1);

        using var detector = NcnnDetector.Load(param, new ModelImportOptions { Weights = bin }, Device, null);
        var (w, h) = detector.InputSize;
        var photo = new RgbImage(w, h, TestData.Uniform(7, w * h * 3, 0, 255).Select(v => (byte)v).ToArray());
        var tensor = ImagePreprocessor.ToTensor(photo, w, h);
        var input = dir.File("input.f32");
        File.WriteAllBytes(input, System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.AsSpan()).ToArray());

        var ncnn = DetectionRows.ToDetections(NcnnPeer.Run(param, bin, input, w, h, 3)[output]);
        var ours = detector.Detect(photo, float.MinValue).Detections;
        TestContext.Out.WriteLine($"{model}: ncnn {ncnn.Count} boxes, ours {ours.Count}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(ours, Is.Not.Empty, "we found nothing: the case does not test anything");
        NcnnReference.AssertSameDetections(ours, ncnn);
    }

    /// <summary>ncnn's SSD graphs concatenate their PriorBox outputs: that Concat joins the host steps, before DetectionOutput.</summary>
    [TestCase("mobilenet_ssd")]
    [TestCase("mobilenet_ssd_int8")]
    [TestCase("squeezenet_ssd")]
    [TestCase("squeezenet_ssd_int8")]
    public void TheSsdGraphsConcatenateTheirPriorsOnTheHost(string model)
    {
        var imported = NcnnImporter.Load(NcnnPeer.Param(model));
        Assert.That(imported.HostSteps.Select(s => s.Layer.Type),
            Is.EqualTo(Enumerable.Repeat("PriorBox", 6).Append("Concat").Append("DetectionOutput")));
        Assert.That(imported.HostSteps[^2].Tops, Is.EqualTo(new[] { "mbox_priorbox" }));
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="copy"/> with the confidence threshold of its
    /// <paramref name="layerType"/> layer set; returns the copy and that layer's output blob.</summary>
    private static (string Param, string Output) WithThreshold(string source, string copy, string layerType, int id, float threshold)
    {
        var lines = File.ReadAllLines(source);
        int at = Array.FindIndex(lines, l => l.StartsWith(layerType + " ", StringComparison.Ordinal));
        Assert.That(at, Is.GreaterThan(0), $"{source} has no {layerType} layer");
        var tokens = lines[at].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        tokens.RemoveAll(t => t.StartsWith($"{id}=", StringComparison.Ordinal));
        tokens.Add(string.Create(CultureInfo.InvariantCulture, $"{id}={threshold:E6}"));
        lines[at] = string.Join(' ', tokens);
        File.WriteAllLines(copy, lines);
        int bottoms = int.Parse(tokens[2], CultureInfo.InvariantCulture);
        return (copy, tokens[4 + bottoms]);
    }
}
