using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Imaging;

public class ClassifierTests
{
    [Test]
    public void NsfwjsLabelsAreInTheModelsOutputOrder()
    {
        // Order from nsfwjs 4.3.0 dist/cjs/nsfw_classes.js (checked again by scripts/setup).
        Assert.That(Labels.LoadLabels(TestPaths.NsfwjsLabels), Is.EqualTo(new[] { "Drawing", "Hentai", "Neutral", "Porn", "Sexy" }));
    }

    [Test]
    public void LabelsIgnoreCarriageReturnsAndTrailingBlankLines()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("l.txt"), "cat\r\ndog\r\n\r\n");
        Assert.That(Labels.LoadLabels(dir.File("l.txt")), Is.EqualTo(new[] { "cat", "dog" }));
    }

    [Test]
    public void TopKIsBestFirstAndTiesKeepClassOrder()
    {
        string[] labels = ["a", "b", "c", "d"];
        var top = Classifier.TopK([0.1f, 0.4f, 0.1f, 0.4f], labels, 3);
        Assert.That(top, Is.EqualTo(new[] { ("b", 0.4f), ("d", 0.4f), ("a", 0.1f) }));
    }

    [Test]
    public void TopKRejectsMismatchedLabels()
    {
        Assert.That(() => Classifier.TopK([1f, 2f], ["only"], 1), Throws.ArgumentException.With.Message.Contains("2 scores but 1 labels"));
    }
}
