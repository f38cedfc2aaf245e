using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Teach;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>gmn teach on folders of augmented photos, then gmn classify --head on augmentations it never saw.</summary>
public class TeachCommandTests
{
    /// <summary>Class folders cat/ and coffee/ of six augmented photos each, and one unseen augmentation of each beside them.</summary>
    private static void MakeClasses(TempDir dir)
    {
        foreach (var (name, photo) in new[] { ("cat", "chelsea.png"), ("coffee", "coffee.png") })
        {
            Directory.CreateDirectory(dir.File(name));
            var image = ImageLoader.Load(TestPaths.Photo(photo));
            for (int seed = 0; seed < 6; seed++) Augment.SaveBmp(Augment.Apply(image, seed), Path.Combine(dir.File(name), $"{seed}.bmp"));
            Augment.SaveBmp(Augment.Apply(image, 500), dir.File($"unseen-{name}.bmp"));
        }
    }

    [Test]
    public void TeachesTwoClassesAndClassifiesWithTheHead()
    {
        using var dir = new TempDir();
        MakeClasses(dir);
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

    /// <summary>The exported ONNX file and TF.js model (nsfwjs's backbone + the head) classify like the head does.</summary>
    [Test]
    public void ExportedOnnxAndTfjsModelsClassifyLikeTheHead()
    {
        using var dir = new TempDir();
        MakeClasses(dir);
        var teach = GmnProcess.Run("teach", dir.Path, "--out", dir.File("head.json"), "--kind", "softmax",
            "--export-onnx", dir.File("taught.onnx"), "--export-tfjs", dir.File("tfjs"));
        Assert.That(teach.ExitCode, Is.EqualTo(0), teach.StdErr);
        Assert.That(File.ReadAllLines(dir.File("taught.labels.txt")), Is.EqualTo(new[] { "cat", "coffee" }));
        Assert.That(File.ReadAllLines(dir.File("tfjs/labels.txt")), Is.EqualTo(new[] { "cat", "coffee" }));
        var photo = dir.File("unseen-cat.bmp");
        var expected = Scores("classify", photo, "--head", dir.File("head.json"));
        Assert.That(expected["cat"], Is.GreaterThan(0.5), "the head recognises the unseen cat");
        foreach (var model in new[] { ("taught.onnx", "taught.labels.txt"), ("tfjs/model.json", "tfjs/labels.txt") })
        {
            var actual = Scores("classify", photo, "--model", dir.File(model.Item1), "--labels", dir.File(model.Item2));
            Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys), model.Item1);
            foreach (var (label, p) in expected) Assert.That(actual[label], Is.EqualTo(p).Within(1e-4), $"{model.Item1}: {label}");
        }
    }

    private static Dictionary<string, double> Scores(params string[] args)
    {
        var r = GmnProcess.Run([.. args, "--json"]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.StdErr);
        return System.Text.Json.Nodes.JsonNode.Parse(r.StdOut)!["top"]!.AsArray().ToDictionary(t => (string)t!["label"]!, t => (double)t!["score"]!);
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
