using GpuMobileNet.Tests.Hardening;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>The hardening errors reach a user of `gmn` as one line on stderr naming the culprit, fast: no hang on a
/// FIFO, no gigabytes for a huge PNG, no overflow text for an out-of-range option.</summary>
public class HostileInputCliTests
{
    [Test]
    public void FifoAsImage()
    {
        using var dir = new TempDir();
        HostileFileTests.MakeFifo(dir.File("photo.png"));
        CliAssert.OneLineError(GmnProcess.Run("classify", dir.File("photo.png")), "photo.png", "FIFO");
    }

    [Test]
    public void DevZeroAsLabels()
    {
        CliAssert.OneLineError(GmnProcess.Run("classify", TestPaths.Photo("chelsea.png"), "--labels", "/dev/zero"), "/dev/zero", "labels file");
    }

    [Test]
    public void HugePng()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("huge.png"), ImageLimitTests.BlackPng(16000, 16000));
        CliAssert.OneLineError(GmnProcess.Run("classify", dir.File("huge.png")), "huge.png", "16000x16000");
    }

    [TestCase("--alpha", "1000", "alpha")]
    [TestCase("--resolution", "100000", "resolution")]
    public void OutOfRangeBuiltInOption(string option, string value, string mention)
    {
        CliAssert.OneLineError(GmnProcess.Run("inspect", "--model", "mobilenet_v2", option, value), mention, value);
    }

    [Test]
    public void WeightsPathOutsideTheModelFolder()
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(3, 3, 3).Conv("conv", 3, 4);
        var json = model.Json();
        json["weightsManifest"]![0]!["paths"] = new System.Text.Json.Nodes.JsonArray("/etc/passwd");
        CliAssert.OneLineError(GmnProcess.Run("inspect", "--model", model.WriteTo(dir, json)), "'/etc/passwd'", "absolute");
    }
}
