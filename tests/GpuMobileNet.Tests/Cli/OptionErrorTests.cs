using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>Out-of-range options fail before any work with one line naming the option; inputs too large for the device
/// fail with one line naming the device limit (before: an overflow message, a stack overflow or SIGSEGV in the driver).</summary>
public class OptionErrorTests
{
    private static string Photo => Path.Combine(TestPaths.RepoRoot, "models", "cache", "photos", "chelsea.png");

    [TestCase("--alpha", "1000")]
    [TestCase("--alpha", "0")]
    [TestCase("--alpha", "NaN")]
    [TestCase("--resolution", "100000")]
    [TestCase("--resolution", "-5")]
    [TestCase("--classes", "0")]
    public void BuiltInModelOptionOutOfRange(string option, string value) =>
        CliAssert.OneLineError(GmnProcess.Run("inspect", "--model", "mobilenet_v2", option, value), option, value);

    [Test]
    public void NegativeTopFailsBeforeInference() =>
        CliAssert.OneLineError(GmnProcess.Run("classify", Photo, "--model", "mobilenet_v1", "--alpha", "0.25", "--top", "-1"), "--top", "-1");

    [Test]
    public void BenchJsonIntoAMissingFolderFailsBeforeTheBench()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "missing", "x.json");
        CliAssert.OneLineError(GmnProcess.Run("bench", "--model", "mobilenet_v2", "--json", path), "--json", "does not exist");
    }

    [Test]
    public void HugeBatchIsRefusedNamingTheOption() =>
        CliAssert.OneLineError(GmnProcess.Run("bench", "--model", "mobilenet_v1", "--batches", "1,100000"), "--batches", "100000");

    /// <summary>4096x4096 MobileNetV2 needs gigabytes of activations for one sample: more than lavapipe's 128 MiB storage
    /// range (it used to crash inside llvmpipe).</summary>
    [Test]
    public void ResolutionBeyondTheDeviceIsRefusedNamingTheLimit() =>
        CliAssert.OneLineError(GmnProcess.Run("classify", Photo, "--model", "mobilenet_v2", "--resolution", "4096"),
            "maxStorageBufferRange", "one sample");
}
