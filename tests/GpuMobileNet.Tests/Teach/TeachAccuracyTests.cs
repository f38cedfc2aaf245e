using System.Diagnostics;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Teach;

/// <summary>Teaching new classes on the nsfwjs backbone's pooled features: the five skimage photos are five classes;
/// heads train on augmentations with seeds 0-11 and are tested on seeds 1000-1007 (other crops, flips, brightness and
/// sizes). Held-out accuracy must reach 90% for both head kinds.</summary>
public class TeachAccuracyTests : GpuTest
{
    private static readonly string[] Photos = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "camera.png"];

    [Test]
    public void HeldOutAccuracyOnAugmentedPhotos()
    {
        using var extractor = new FeatureExtractor(TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson), Device);
        var train = new List<(float[], int)>();
        var test = new List<(float[], int)>();
        for (int k = 0; k < Photos.Length; k++)
        {
            var photo = ImageLoader.Load(TestPaths.Photo(Photos[k]));
            for (int seed = 0; seed < 12; seed++) train.Add((extractor.Extract(Augment.Apply(photo, seed + 100 * k)), k));
            for (int seed = 1000; seed < 1008; seed++) test.Add((extractor.Extract(Augment.Apply(photo, seed + 100 * k)), k));
        }
        foreach (var kind in new[] { TaughtHead.SoftmaxKind, TaughtHead.CentroidKind })
        {
            var clock = Stopwatch.StartNew();
            var head = HeadTrainer.Train(kind, "nsfwjs", Photos, train);
            double ms = clock.Elapsed.TotalMilliseconds;
            double accuracy = HeadTrainer.Accuracy(head, test);
            TestContext.Out.WriteLine($"{kind}: held-out accuracy {accuracy:P1} on {test.Count} images, trained on {train.Count} in {ms:F0} ms");
            Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.9), $"{kind} head held-out accuracy");
            var reloaded = TaughtHead.FromJson(head.ToJson());
            Assert.That(reloaded.Predict(test[0].Item1), Is.EqualTo(head.Predict(test[0].Item1)).Within(1e-6), "JSON round trip");
        }
    }

    [Test]
    public void TrainingRefusesOneClassAndMismatchedFeatures()
    {
        var one = new List<(float[], int)> { ([1f, 2f], 0) };
        Assert.That(() => HeadTrainer.Train(TaughtHead.SoftmaxKind, "m", ["a"], one), Throws.ArgumentException.With.Message.Contains("two classes"));
        var mixed = new List<(float[], int)> { ([1f, 2f], 0), ([1f], 1) };
        Assert.That(() => HeadTrainer.Train(TaughtHead.CentroidKind, "m", ["a", "b"], mixed), Throws.ArgumentException.With.Message.Contains("feature count"));
        Assert.That(() => TaughtHead.FromJson("{\"kind\":\"softmax\",\"classes\":[\"a\"],\"features\":2,\"weights\":[[1]]}"),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("weights must be 1 x 2"));
    }
}
