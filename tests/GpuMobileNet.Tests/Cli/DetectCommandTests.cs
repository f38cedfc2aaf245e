using GpuMobileNet.Imaging;
using GpuMobileNet.Tests.Import.Tflite;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>`gmn detect`: the cat in chelsea.png is printed and drawn (a PNG of the photo's size whose pixels changed
/// along the box); bad input gives one line naming the culprit.</summary>
public class DetectCommandTests
{
    [Test]
    public void FindsTheCatAndDrawsItsBox()
    {
        using var dir = new TempDir();
        string png = dir.File("boxes.png");
        var r = GmnProcess.Run("detect", TestPaths.Photo("chelsea.png"), "--out", png, "--threshold", "0.5");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StdErr);
        Assert.That(r.StdOut, Does.Contain("Cat"));
        var photo = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        var drawn = ImageLoader.Load(png);
        Assert.That((drawn.Width, drawn.Height), Is.EqualTo((photo.Width, photo.Height)));
        int changed = 0;
        for (int i = 0; i < photo.Pixels.Length; i++) if (photo.Pixels[i] != drawn.Pixels[i]) changed++;
        Assert.That(changed, Is.GreaterThan(1000), "no box was drawn");
    }

    [Test]
    public void ThresholdAboveEveryScoreFindsNothing()
    {
        var r = GmnProcess.Run("detect", TestPaths.Photo("chelsea.png"), "--threshold", "0.999");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StdErr);
        Assert.That(r.StdOut, Does.Not.Contain("Cat").And.Contain("nothing scored"));
    }

    [Test]
    public void ThresholdOutOfRange() =>
        CliAssert.OneLineError(GmnProcess.Run("detect", TestPaths.Photo("chelsea.png"), "--threshold", "2"), "--threshold");

    [Test]
    public void ModelThatIsNotTflite()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ssd.tflite"), "not a flatbuffer at all");
        CliAssert.OneLineError(GmnProcess.Run("detect", TestPaths.Photo("chelsea.png"), "--model", dir.File("ssd.tflite"), "--labels", TflitePaths.SsdLabels), "ssd.tflite");
    }
}
