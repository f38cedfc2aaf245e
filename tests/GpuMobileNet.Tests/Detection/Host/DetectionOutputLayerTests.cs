using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>DetectionOutput against ncnn's own on seeded random locations, scores and priors: one input sliced into the
/// layer's three, so both run on the very same values; same detections by class, score (1e-4) and IoU (0.99).</summary>
public class DetectionOutputLayerTests
{
    [TestCase(40, 4, 1.0, "0=4 1=0.45 2=100 3=10 4=0.2", TestName = "keep_top_k cuts, mobilenet_ssd style")]
    [TestCase(37, 3, 3.0, "0=3 1=0.3 2=5 3=100 4=0.3", TestName = "nms_top_k cuts, boxes leave the image")]
    [TestCase(25, 21, 1.0, "0=21 1=0.45 2=100 4=0.1", TestName = "21 classes, defaults")]
    public void MatchesNcnn(int priors, int classes, double spread, string parameters)
    {
        var input = Inputs(priors, classes, spread);
        int loc = 4 * priors, conf = priors * classes, prior = 8 * priors;
        var blobs = NcnnReference.Run(
        [
            $"Input data 0 1 data 0={input.Length} 1=1 2=1",
            $"Slice slice 1 3 data l c p -23300=3,{loc},{conf},{prior} 1=2",
            $"Reshape rl 1 1 l loc 0={loc}",
            $"Reshape rc 1 1 c conf 0={conf}",
            $"Reshape rp 1 1 p prior 0={4 * priors} 1=2",
            $"DetectionOutput det 3 1 loc conf prior output {parameters}",
        ], (input.Length, 1, 1), input, "loc", "conf", "prior", "output");
        var layer = HostLayers.Create("DetectionOutput", NcnnReference.Params(parameters));

        var ours = layer.Run([blobs["loc"], blobs["conf"], blobs["prior"]]);

        NcnnReference.AssertSameDetections(ours, blobs["output"]);
    }

    /// <summary>Locations, scores (a softmax per prior, as the networks feed it: ncnn skips decoding a prior whose
    /// background score leaves no other class above the threshold), priors (boxes inside the image) and their
    /// variances, one after another.</summary>
    private static float[] Inputs(int priors, int classes, double spread)
    {
        var loc = TestData.Uniform(priors, 4 * priors, -spread, spread);
        var scores = TestData.Uniform(priors + 1, priors * classes, -4, 4).Chunk(classes).SelectMany(Softmax);
        var centres = TestData.Uniform(priors + 2, 2 * priors, 0.2, 0.8);
        var sizes = TestData.Uniform(priors + 3, 2 * priors, 0.05, 0.4);
        var boxes = Enumerable.Range(0, priors).SelectMany(i => new[]
        {
            centres[2 * i] - sizes[2 * i] / 2, centres[2 * i + 1] - sizes[2 * i + 1] / 2,
            centres[2 * i] + sizes[2 * i] / 2, centres[2 * i + 1] + sizes[2 * i + 1] / 2,
        });
        var variances = Enumerable.Repeat(new[] { 0.1f, 0.1f, 0.2f, 0.2f }, priors).SelectMany(v => v);
        return [.. loc, .. scores, .. boxes, .. variances];
    }

    private static IEnumerable<float> Softmax(float[] logits)
    {
        var e = logits.Select(MathF.Exp).ToArray();
        return e.Select(v => v / e.Sum());
    }

    [Test]
    public void InputsThatDoNotFitThePriorsAreRefused()
    {
        var layer = HostLayers.Create("DetectionOutput", NcnnReference.Params("0=3"));
        var e = Assert.Throws<ModelLoadException>(() => layer.Run(
            [new HostTensor(1, 1, 8, new float[8]), new HostTensor(1, 1, 5, new float[5]), new HostTensor(1, 2, 8, new float[16])]));
        Assert.That(e!.Message, Does.StartWith("DetectionOutput: ").And.Contains("2 priors"));
    }

    [Test]
    public void ABackgroundOnlyClassCountIsRefused() =>
        Assert.That(() => HostLayers.Create("DetectionOutput", NcnnReference.Params("0=1")),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("num_class"));
}
