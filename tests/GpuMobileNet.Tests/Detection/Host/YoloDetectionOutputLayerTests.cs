using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>YoloDetectionOutput (YOLOv2) against ncnn's own on seeded logits: one map, and two (a 7 x 5 map and its
/// average-pooled copy, as mobilenet_yolo.param feeds two); same detections by class, score (1e-4) and IoU (0.99).</summary>
public class YoloDetectionOutputLayerTests
{
    private const string Parameters = "0=3 1=2 2=0.3 3=0.45 -23304=4,1.08,1.19,3.42,4.41";

    [TestCase(false, TestName = "one map")]
    [TestCase(true, TestName = "two maps, as mobilenet_yolo")]
    public void MatchesNcnn(bool twoMaps)
    {
        var shape = (W: 7, H: 5, C: 2 * (5 + 3));
        string[] layers = twoMaps
            ? ["Split split 1 2 data d0 d1", "Pooling pool 1 1 d0 small 0=1 1=2 2=2", $"YoloDetectionOutput det 2 1 d1 small output {Parameters}"]
            : [$"YoloDetectionOutput det 1 1 data output {Parameters}"];
        var blobs = NcnnReference.Run([$"Input data 0 1 data 0={shape.W} 1={shape.H} 2={shape.C}", .. layers],
            shape, TestData.Uniform(8, shape.W * shape.H * shape.C, -3, 3), twoMaps ? ["data", "small", "output"] : ["data", "output"]);
        var layer = HostLayers.Create("YoloDetectionOutput", NcnnReference.Params(Parameters));

        var ours = layer.Run(twoMaps ? [blobs["data"], blobs["small"]] : [blobs["data"]]);

        NcnnReference.AssertSameDetections(ours, blobs["output"]);
    }

    [Test]
    public void TooFewBiasesAreRefused() =>
        Assert.That(() => HostLayers.Create("YoloDetectionOutput", NcnnReference.Params("1=3 -23304=4,1.0,1.0,2.0,2.0")),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("biases"));
}
