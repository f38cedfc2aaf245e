using GpuMobileNet.Import;
using GpuMobileNet.Import.Tflite;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.Tflite.TfliteModelBuilder;

namespace GpuMobileNet.Tests.Import.Tflite;

/// <summary>Bad .tflite files fail with one ModelLoadException line naming the file and the culprit: not a flatbuffer,
/// truncated, unsupported ops, int8 models; and random corruption of a real model never escapes as another exception.</summary>
public class TfliteBadModelTests
{
    private static void Refused(byte[] bytes, params string[] mentions)
    {
        var e = Assert.Throws<ModelLoadException>(() => TfliteImporter.Load(bytes, "bad.tflite"))!;
        Assert.That(e.Message, Does.StartWith("bad.tflite: ").And.Not.Contain("\n"));
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
    }

    [Test]
    public void NotAFlatbuffer() => Refused("hello, this is text"u8.ToArray(), "TFL3");

    [Test]
    public void MissingFile()
    {
        var e = Assert.Throws<ModelLoadException>(() => TfliteImporter.Load("/nonexistent/model.tflite"))!;
        Assert.That(e.Message, Does.Contain("/nonexistent/model.tflite"));
    }

    [Test]
    public void TruncatedRealModel()
    {
        var bytes = File.ReadAllBytes(TflitePaths.SsdModel);
        Refused(bytes[..(bytes.Length / 3)], "corrupt");
    }

    [Test]
    public void UnsupportedOpIsNamed()
    {
        var b = new TfliteModelBuilder(1);
        int x = b.Input(1, 4, 4, 3);
        b.Output(b.Op(28, [x], [1, 4, 4, 3]));   // TANH
        Refused(b.Build(), "operator 0", "TANH", "not supported");
    }

    [Test]
    public void Int8ModelIsRefused()
    {
        var b = new TfliteModelBuilder(1);
        int q = b.Tensor([1, 4, 4, 3], Int8);
        b.MarkInput(q);
        b.Output(b.Op(19, [q], [1, 4, 4, 3]));
        Refused(b.Build(), "INT8", "quantised");
    }

    [Test]
    public void FusedTanhIsRefused()
    {
        var b = new TfliteModelBuilder(1);
        int x = b.Input(1, 4, 4, 3);
        b.Output(b.Op(0, [x, x], [1, 4, 4, 3], AddOptions, Activation(4)));
        Refused(b.Build(), "ADD", "TANH");
    }

    [Test]
    public void DeclaredShapeThatDisagreesIsRefused()
    {
        var b = new TfliteModelBuilder(1);
        int x = b.Input(1, 5, 5, 3);
        b.Output(b.Op(3, [x, b.Weights([4, 3, 3, 3])], [1, 5, 5, 4], ConvOptions, Conv(1, 1, 0)));   // VALID gives 3x3
        Refused(b.Build(), "CONV_2D", "[1, 3, 3, 4]");
    }

    /// <summary>Random byte flips in the real model: each load either succeeds or throws ModelLoadException.</summary>
    [Test]
    public void RandomCorruptionOnlyEverGivesModelLoadException()
    {
        var original = File.ReadAllBytes(TflitePaths.SsdModel);
        var random = new Random(15);
        int refused = 0;
        for (int round = 0; round < 40; round++)
        {
            var bytes = (byte[])original.Clone();
            // Flip bytes in the first 64 KiB (tables, vtables, offsets), where structure lives, not weights.
            for (int k = 0; k < 8; k++) bytes[random.Next(Math.Min(bytes.Length, 65536))] ^= (byte)random.Next(1, 256);
            try { TfliteImporter.Load(bytes, "fuzz.tflite"); }
            catch (ModelLoadException) { refused++; }
        }
        TestContext.Out.WriteLine($"{refused} of 40 corrupted copies refused, the rest loaded");
    }
}
