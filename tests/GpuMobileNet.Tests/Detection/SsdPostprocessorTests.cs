using GpuMobileNet.Detection;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection;

/// <summary>Decoding, thresholds and NMS on hand-made raw outputs.</summary>
public class SsdPostprocessorTests
{
    private static readonly SsdDecoderOptions Options = new(3, 10, 10, 5, 5, true, [0], 0.5f, 0.5f, 10);

    private static float Logit(float p) => MathF.Log(p / (1 - p));

    [Test]
    public void ZeroEncodingIsTheAnchorAndExpScalesTheSize()
    {
        var post = new SsdPostprocessor([new Anchor(0.5f, 0.4f, 0.2f, 0.1f)], Options);
        var a = post.Decode([0, 0, 0, 0], new Anchor(0.5f, 0.4f, 0.2f, 0.1f));
        Assert.That(new[] { a.XMin, a.YMin, a.XMax, a.YMax }, Is.EqualTo(new[] { 0.4f, 0.35f, 0.6f, 0.45f }).Within(1e-6f));
        // y, x offsets of 10 move the centre by one anchor height / width; log sizes of 5 multiply them by e.
        var b = post.Decode([10, 10, 5, 5], new Anchor(0.5f, 0.4f, 0.2f, 0.1f));
        Assert.That(new[] { (b.XMin + b.XMax) / 2, (b.YMin + b.YMax) / 2, b.XMax - b.XMin, b.YMax - b.YMin },
            Is.EqualTo(new[] { 0.7f, 0.5f, 0.2f * MathF.E, 0.1f * MathF.E }).Within(1e-5f));
    }

    [Test]
    public void BackgroundIsIgnoredAndTheThresholdApplies()
    {
        Anchor[] anchors = [new(0.2f, 0.2f, 0.1f, 0.1f), new(0.8f, 0.8f, 0.1f, 0.1f)];
        var post = new SsdPostprocessor(anchors, Options, ["bg", "cat", "dog"]);
        float[] classes = [Logit(0.99f), Logit(0.3f), Logit(0.4f), /* anchor 1: */ Logit(0.1f), Logit(0.2f), Logit(0.9f)];
        var found = post.Process(new float[8], classes);
        Assert.That(found, Has.Count.EqualTo(1));
        Assert.That(found[0].Label, Is.EqualTo("dog"));
        Assert.That(found[0].Score, Is.EqualTo(0.9f).Within(1e-5f));
        Assert.That(post.Process(new float[8], classes, minScore: 0.35f).Select(d => d.Label), Is.EqualTo(new[] { "dog", "dog" }));
    }

    [Test]
    public void NmsKeepsTheBestOfOverlappingBoxes()
    {
        // Two nearly identical boxes and one apart: the weaker twin goes.
        Anchor[] anchors = [new(0.3f, 0.3f, 0.2f, 0.2f), new(0.31f, 0.3f, 0.2f, 0.2f), new(0.8f, 0.8f, 0.2f, 0.2f)];
        var post = new SsdPostprocessor(anchors, Options);
        float[] classes = [0, Logit(0.7f), 0, 0, Logit(0.8f), 0, 0, 0, Logit(0.6f)];
        var found = post.Process(new float[12], classes);
        Assert.That(found.Select(d => (d.ClassId, MathF.Round(d.Score, 3))), Is.EqualTo(new[] { (1, 0.8f), (2, 0.6f) }));
        Assert.That(found[0].Box.XMin, Is.EqualTo(0.21f).Within(1e-5f));
    }

    [Test]
    public void PerClassNmsKeepsOverlappingBoxesOfOtherClasses()
    {
        Anchor[] anchors = [new(0.3f, 0.3f, 0.2f, 0.2f), new(0.3f, 0.3f, 0.2f, 0.2f)];
        float[] classes = [0, Logit(0.9f), 0, 0, 0, Logit(0.8f)];
        Assert.That(new SsdPostprocessor(anchors, Options).Process(new float[8], classes), Has.Count.EqualTo(1));
        Assert.That(new SsdPostprocessor(anchors, Options with { PerClassNms = true }).Process(new float[8], classes), Has.Count.EqualTo(2));
    }

    [Test]
    public void WrongLengthsAreRefused()
    {
        var post = new SsdPostprocessor([new Anchor(0.5f, 0.5f, 0.1f, 0.1f)], Options);
        Assert.Throws<ArgumentException>(() => post.Process(new float[3], new float[3]));
        Assert.Throws<ArgumentException>(() => post.Process(new float[4], new float[2]));
    }

    [Test]
    public void IoUOfKnownBoxes()
    {
        Assert.That(new Box(0, 0, 2, 2).IoU(new Box(1, 0, 3, 2)), Is.EqualTo(1f / 3).Within(1e-6f));
        Assert.That(new Box(0, 0, 1, 1).IoU(new Box(2, 2, 3, 3)), Is.EqualTo(0f));
    }
}
