using GpuMobileNet.Detection;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection;

/// <summary>The objectron SSD's anchors (options from its graph config): 1917 of them, and a few worked out by hand
/// from MediaPipe's SsdAnchorsCalculator rules (scale_k = 0.2 + 0.75 k / 5; w = s sqrt(r), h = s / sqrt(r)).</summary>
public class SsdAnchorsTests
{
    private static readonly Anchor[] Anchors = SsdAnchors.Generate(SsdAnchorOptions.ObjectronSsdMobileNetV2);

    [Test]
    public void CountIs1917() =>
        // 19x19 cells x 3 (reduced lowest layer) + (10x10 + 5x5 + 3x3 + 2x2 + 1x1) x (5 ratios + 1 interpolated).
        Assert.That(Anchors, Has.Length.EqualTo(19 * 19 * 3 + (100 + 25 + 9 + 4 + 1) * 6).And.Length.EqualTo(1917));

    [TestCase(0, 0.5f / 19, 0.5f / 19, 0.1f, 0.1f)]                                  // layer 0, cell (0,0): scale 0.1, ratio 1
    [TestCase(1, 0.5f / 19, 0.5f / 19, 0.28284271f, 0.14142136f)]                    // ratio 2 at scale 0.2
    [TestCase(2, 0.5f / 19, 0.5f / 19, 0.14142136f, 0.28284271f)]                    // ratio 0.5
    [TestCase(3 * 20, 1.5f / 19, 1.5f / 19, 0.1f, 0.1f)]                             // cell (row 1, col 1)
    [TestCase(1083, 0.05f, 0.05f, 0.35f, 0.35f)]                                      // layer 1 starts: scale 0.35
    [TestCase(1083 + 3, 0.05f, 0.05f, 0.60621778f, 0.20207259f)]                     // ratio 3: 0.35 sqrt 3, 0.35 / sqrt 3
    [TestCase(1083 + 5, 0.05f, 0.05f, 0.41833001f, 0.41833001f)]                     // interpolated: sqrt(0.35 x 0.5)
    [TestCase(1916, 0.5f, 0.5f, 0.97467943f, 0.97467943f)]                           // last: sqrt(0.95 x 1.0)
    public void AnchorMatchesTheRules(int index, float cx, float cy, float w, float h)
    {
        var a = Anchors[index];
        Assert.That(new[] { a.CenterX, a.CenterY, a.Width, a.Height }, Is.EqualTo(new[] { cx, cy, w, h }).Within(1e-5f), $"anchor {index}: {a}");
    }

    [Test]
    public void BadOptionsAreRefused() =>
        Assert.Throws<ArgumentException>(() => SsdAnchors.Generate(SsdAnchorOptions.ObjectronSsdMobileNetV2 with { Strides = [] }));
}
