using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>Bad input to `gmn classify` gives one line on stderr naming the file and the problem,
/// a non-zero exit code and no stack trace.</summary>
public class BadInputTests
{
    [Test]
    public void MissingImage()
    {
        using var dir = new TempDir();
        CliAssert.OneLineError(GmnProcess.Run("classify", dir.File("nope.png")), "nope.png");
    }

    [Test]
    public void TextFileCalledPng()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.png"), "this is not an image\n");
        CliAssert.OneLineError(GmnProcess.Run("classify", dir.File("notes.png")), "notes.png");
    }

    [Test]
    public void TruncatedPhoto()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(TestPaths.Photo("chelsea.png"));
        File.WriteAllBytes(dir.File("half.png"), bytes[..(bytes.Length / 2)]);
        CliAssert.OneLineError(GmnProcess.Run("classify", dir.File("half.png")), "half.png");
    }

    [Test]
    public void CorruptModelJson()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("model.json"), "{ \"modelTopology\": [1, 2,");
        CliAssert.OneLineError(GmnProcess.Run("classify", TestPaths.Photo("chelsea.png"), "--model", dir.File("model.json")), "model.json");
    }

    [Test]
    public void WeightsShorterThanTheManifest()
    {
        using var dir = new TempDir();
        var source = Path.GetDirectoryName(TestPaths.NsfwjsModelJson)!;
        File.Copy(TestPaths.NsfwjsModelJson, dir.File("model.json"));
        var weights = File.ReadAllBytes(Path.Combine(source, "group1-shard1of1.bin"));
        File.WriteAllBytes(dir.File("group1-shard1of1.bin"), weights[..(weights.Length - 1000)]);
        CliAssert.OneLineError(GmnProcess.Run("classify", TestPaths.Photo("chelsea.png"), "--model", dir.File("model.json")), "group1-shard1of1.bin");
    }

    [Test]
    public void NoVulkanDriverSaysWhatToInstall()
    {
        // Point the loader at a driver manifest that does not exist: what a machine without a driver looks like.
        var noDriver = new Dictionary<string, string> { ["VK_ICD_FILENAMES"] = "/nonexistent/icd.json", ["VK_DRIVER_FILES"] = "/nonexistent/icd.json" };
        CliAssert.OneLineError(GmnProcess.RunWith(noDriver, "classify", TestPaths.Photo("chelsea.png")), "mesa-vulkan-drivers");
    }

    [Test]
    public void UnknownBuiltInModel()
    {
        CliAssert.OneLineError(GmnProcess.Run("bench", "--model", "resnet_9000"), "resnet_9000");
    }

    [Test]
    public void ClassifyingARealPhotoSucceeds()
    {
        var r = GmnProcess.Run("classify", TestPaths.Photo("coffee.png"));
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        Assert.That(r.StdOut, Does.Contain("Neutral").And.Contain("probability"));
    }
}
