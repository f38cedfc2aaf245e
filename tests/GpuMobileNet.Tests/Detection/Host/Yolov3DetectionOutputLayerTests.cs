using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>Yolov3DetectionOutput against ncnn's own: a 7 x 5 map and its average-pooled 4 x 3 copy as the two scales
/// (averaged, not max-pooled: copied values would tie scores, and the NMS order of ties is arbitrary), seeded logits,
/// the mask written as float bit patterns as ncnn's converters do; same detections by class, score (1e-4) and IoU (0.99).</summary>
public class Yolov3DetectionOutputLayerTests
{
    private const string Anchors = "-23304=12,10.0,14.0,23.0,27.0,37.0,58.0,81.0,82.0,135.0,169.0,344.0,319.0";

    [TestCase(2, 0.6f, new float[] { 3, 4, 5, 0, 1, 2 }, "32.0,16.0", TestName = "mobilenetv2_yolov3 style")]
    [TestCase(3, 0.5f, new float[] { 3, 4, 5, 1, 2, 3 }, "33.6,16.8", TestName = "yolov4-tiny style: shared anchor, fractional scales")]
    public void MatchesNcnn(int classes, float threshold, float[] mask, string scales)
    {
        var shape = (W: 7, H: 5, C: 3 * (5 + classes));
        string bits = string.Join(',', mask.Select(BitConverter.SingleToInt32Bits));
        string parameters = $"0={classes} 1=3 2={threshold:0.0##} 3=0.45 {Anchors} -23305=6,{bits} -23306=2,{scales}";
        var blobs = NcnnReference.Run(
        [
            $"Input data 0 1 data 0={shape.W} 1={shape.H} 2={shape.C}",
            "Split split 1 2 data d0 d1",
            "Pooling pool 1 1 d0 small 0=1 1=2 2=2",
            $"Yolov3DetectionOutput det 2 1 d1 small output {parameters}",
        ], shape, TestData.Uniform(7, shape.W * shape.H * shape.C, -3, 3), "data", "small", "output");
        var layer = HostLayers.Create("Yolov3DetectionOutput", NcnnReference.Params(parameters));

        var ours = layer.Run([blobs["data"], blobs["small"]]);

        NcnnReference.AssertSameDetections(ours, blobs["output"]);
    }

    [Test]
    public void AMaskBeyondTheAnchorsIsRefused() =>
        Assert.That(() => HostLayers.Create("Yolov3DetectionOutput", NcnnReference.Params($"1=1 -23304=2,10.0,14.0 -23305=1,{BitConverter.SingleToInt32Bits(1f)}")),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("mask"));

    [Test]
    public void ChannelsThatDoNotFitTheBoxesAreRefused()
    {
        var layer = HostLayers.Create("Yolov3DetectionOutput", NcnnReference.Params($"0=2 1=1 -23304=2,10.0,14.0 -23305=1,0 -23306=1,32.0"));
        Assert.That(() => layer.Run([new HostTensor(6, 2, 2, new float[24])]),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("6 channels"));
    }
}
