using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection;

/// <summary>The post-processing does not depend on the .tflite: the built-in SSDLite graph (seeded random weights, its
/// box_encodings / class_predictions outputs) runs through <see cref="SsdDetector"/> with anchors generated for 320x320,
/// whose count matches the graph's; its detections equal those of the CPU oracle's raw outputs.</summary>
public class SsdLiteDetectorTests : GpuTest
{
    [Test]
    public void BuiltInSsdLiteRunsThroughTheSameDetector()
    {
        const int classes = 6;
        var graph = SsdLite.Create(1.0, 320, classes, WeightInit.Random(3));
        var anchors = SsdAnchors.Generate(SsdAnchorOptions.ObjectronSsdMobileNetV2 with { InputWidth = 320, InputHeight = 320 });
        Assert.That(anchors, Has.Length.EqualTo(SsdLite.AnchorCount(320)));
        // Random weights give logits near 0 (scores near 0.5): a low threshold keeps some boxes to compare.
        var options = SsdDecoderOptions.ObjectronSsdMobileNetV2 with { NumClasses = classes, MinScore = 0.1f };
        using var detector = new SsdDetector(graph, Device, new SsdPostprocessor(anchors, options));
        var photo = ImageLoader.Load(TestPaths.Photo("coffee.png"));
        var found = detector.Detect(photo).Detections;
        var all = ReferenceExecutor.RunAll(graph, detector.Preprocess(photo));
        var cpu = detector.Postprocessor.Process(all[graph.Outputs.Single(o => o.Name == "box_encodings")],
            all[graph.Outputs.Single(o => o.Name == "class_predictions")]);
        Assert.That(found, Is.Not.Empty);
        // Near-equal scores (random weights) may swap places between GPU and CPU and so change which box NMS keeps:
        // nearly every GPU detection must have a CPU twin of its class within 2 pixels, not every one.
        static bool Near(Box a, Box b) => Math.Abs(a.XMin - b.XMin) * 320 <= 2 && Math.Abs(a.YMin - b.YMin) * 320 <= 2
            && Math.Abs(a.XMax - b.XMax) * 320 <= 2 && Math.Abs(a.YMax - b.YMax) * 320 <= 2;
        int twins = found.Count(g => cpu.Any(c => c.ClassId == g.ClassId && Near(c.Box, g.Box)));
        TestContext.Out.WriteLine($"{found.Count} GPU detections, {cpu.Count} CPU, {twins} with a twin");
        Assert.That(twins, Is.GreaterThanOrEqualTo(found.Count * 9 / 10), $"{twins} of {found.Count} GPU detections have a CPU twin");
        Assert.That(Math.Abs(found.Count - cpu.Count), Is.LessThanOrEqualTo(Math.Max(1, cpu.Count / 10)));
    }
}
