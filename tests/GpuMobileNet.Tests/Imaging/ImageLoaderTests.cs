using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Imaging;

public class ImageLoaderTests
{
    [Test]
    public void LoadsAPngAsRgb()
    {
        var img = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        Assert.That((img.Width, img.Height), Is.EqualTo((451, 300)));
        Assert.That(img.Pixels, Has.Length.EqualTo(451 * 300 * 3));
    }

    [Test]
    public void LoadsAJpeg()
    {
        var img = ImageLoader.Load(TestPaths.Photo("rocket.jpg"));
        Assert.That((img.Width, img.Height), Is.EqualTo((640, 427)));
    }

    [Test]
    public void GreyscaleBecomesThreeEqualChannels()
    {
        var img = ImageLoader.Load(TestPaths.Photo("camera.png"));
        Assert.That((img.Width, img.Height), Is.EqualTo((512, 512)));
        var p = img.Pixels;
        Assert.That(Enumerable.Range(0, img.Width * img.Height).All(i => p[3 * i] == p[3 * i + 1] && p[3 * i] == p[3 * i + 2]), Is.True);
        Assert.That(p.Distinct().Count(), Is.GreaterThan(100), "a real photo, not a constant image");
    }

    [Test]
    public void MissingFileNamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "gmn-no-such-dir", "cat.png");
        Assert.That(() => ImageLoader.Load(path),
            Throws.TypeOf<ImageLoadException>().With.Message.Contains(path).And.Message.Contains("not found"));
    }

    [Test]
    public void TextFileNamedPngIsNotAnImage()
    {
        using var dir = new TempDir();
        string path = dir.File("notes.png");
        File.WriteAllText(path, "these are not the pixels you are looking for\n");
        Assert.That(() => ImageLoader.Load(path),
            Throws.TypeOf<ImageLoadException>().With.Message.Contains(path).And.Message.Contains("not a supported image"));
    }

    [TestCase("chelsea.png")]
    [TestCase("rocket.jpg")]
    public void FileCutInHalfIsTruncated(string photo)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestPaths.Photo(photo));
        string path = dir.File("half-" + photo);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.That(() => ImageLoader.Load(path),
            Throws.TypeOf<ImageLoadException>().With.Message.Contains(path).And.Message.Contains("truncated"));
    }

    [Test]
    public void JpegMissingOnlyItsLastBytesIsTruncated()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestPaths.Photo("rocket.jpg"));
        string path = dir.File("short.jpg");
        File.WriteAllBytes(path, bytes[..^2]); // just the end-of-image marker gone
        Assert.That(() => ImageLoader.Load(path), Throws.TypeOf<ImageLoadException>().With.Message.Contains("truncated"));
    }
}
