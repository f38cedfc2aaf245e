using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Teach;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>gmn teach on folders of augmented photos, then gmn classify --head on augmentations it never saw.</summary>
public class TeachCommandTests
{
    [Test]
    public void TeachesTwoClassesAndClassifiesWithTheHead()
    {
        using var dir = new TempDir();
        foreach (var (name, photo) in new[] { ("cat", "chelsea.png"), ("coffee", "coffee.png") })
        {
            Directory.CreateDirectory(dir.File(name));
            var image = ImageLoader.Load(TestPaths.Photo(photo));
            for (int seed = 0; seed < 6; seed++) Augment.SaveBmp(Augment.Apply(image, seed), Path.Combine(dir.File(name), $"{seed}.bmp"));
            Augment.SaveBmp(Augment.Apply(image, 500), dir.File($"unseen-{name}.bmp"));
        }
        var teach = GmnProcess.Run("teach", dir.Path, "--out", dir.File("head.json"));
        Assert.That(teach.ExitCode, Is.EqualTo(0), teach.StdErr);
        Assert.That(teach.StdOut, Does.Contain("held-out accuracy").And.Contain("written to"));
        Assert.That(TaughtHead.Load(dir.File("head.json")).Classes, Is.EqualTo(new[] { "cat", "coffee" }));
        foreach (var name in new[] { "cat", "coffee" })
        {
            var classify = GmnProcess.Run("classify", dir.File($"unseen-{name}.bmp"), "--head", dir.File("head.json"));
            Assert.That(classify.ExitCode, Is.EqualTo(0), classify.StdErr);
            // Table rows only: the header line names the model's path, which may contain "cat" (a worktree named wt-cat1).
            var firstRow = classify.StdOut.Split('\n').First(l => l.StartsWith('│') && (l.Contains("cat") || l.Contains("coffee")));
            Assert.That(firstRow, Does.Contain(name), classify.StdOut);
        }
    }

    [Test]
    public void OneClassFolderIsAOneLineError()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("only"));
        Augment.SaveBmp(Augment.Apply(ImageLoader.Load(TestPaths.Photo("rocket.jpg")), 1), dir.File("only/a.bmp"));
        var r = GmnProcess.Run("teach", dir.Path, "--out", dir.File("head.json"));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0));
        Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(r.StdErr, Does.Contain("at least two sub-folders"));
    }
}
