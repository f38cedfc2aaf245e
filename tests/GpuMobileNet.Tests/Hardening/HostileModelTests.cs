using System.Text.Json.Nodes;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Tfjs;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>model.json files that used to load and classify every photo the same, or fail with raw .NET text:
/// each now fails at load with one line naming the file and the layer, field or shape.</summary>
public class HostileModelTests
{
    private static SyntheticTfjs ConvBnRelu() => new SyntheticTfjs(5, 5, 3).Conv("conv", 3, 4, "same").BatchNorm("bn").Relu("relu");

    private static void AssertFails(string json, params string[] mentions)
    {
        // Through the one loader, which validates after importing (the folded-constant check is there).
        var e = Assert.Throws<ModelLoadException>(() => ModelImporter.Load(json))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith(json), "names the file first");
            Assert.That(e.Message, Does.Not.Contain('\n'), "one line");
            foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        });
    }

    [Test]
    public void TheSyntheticModelItselfLoads()
    {
        using var dir = new TempDir();
        Assert.That(TfjsLayersImporter.Load(ConvBnRelu().WriteTo(dir)).Nodes, Has.Count.EqualTo(3));
    }

    [TestCase(float.NaN, "NaN")]
    [TestCase(float.PositiveInfinity, "Infinity")]
    [TestCase(float.NegativeInfinity, "-Infinity")]
    public void NonFiniteWeightNamesTheLayer(float bad, string shown)
    {
        using var dir = new TempDir();
        var model = ConvBnRelu();
        var bytes = model.WeightBytes();
        BitConverter.GetBytes(bad).CopyTo(bytes, 4 * 17); // conv kernel element 17
        AssertFails(model.WriteTo(dir, weights: bytes), "Conv2d 'conv'", "non-finite", shown, "index");
    }

    [Test]
    public void NonFiniteBatchNormParameterNamesTheLayer()
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 3).BatchNorm("bn", mean: float.NaN);
        AssertFails(model.WriteTo(dir), "BatchNorm 'bn'", "mean", "NaN");
    }

    [Test]
    public void QuantisationScaleOutOfFloatRangeNamesTheWeight()
    {
        using var dir = new TempDir();
        var model = ConvBnRelu();
        var json = model.Json();
        var spec = json["weightsManifest"]![0]!["weights"]![0]!.AsObject();
        spec["quantization"] = new JsonObject { ["dtype"] = "uint8", ["min"] = -1.0, ["scale"] = 1e300 };
        // uint8 codes take one byte each: the kernel's 108 values shrink to 108 bytes.
        var bytes = model.WeightBytes();
        var shrunk = new byte[108].Concat(bytes[(4 * 108)..]).ToArray();
        AssertFails(model.WriteTo(dir, json, shrunk), "weight 'conv/kernel'", "quantization", "1E+300");
    }

    [TestCase(-5.0, "epsilon -5")]
    [TestCase(double.MaxValue, "epsilon")]
    public void BadBatchNormEpsilonNamesTheLayer(double epsilon, string mention)
    {
        using var dir = new TempDir();
        AssertFails(new SyntheticTfjs(2, 2, 3).BatchNorm("bn", epsilon: epsilon).WriteTo(dir), "BatchNorm 'bn'", mention);
    }

    [Test]
    public void VariancePlusEpsilonNotPositiveNamesTheChannel()
    {
        using var dir = new TempDir();
        AssertFails(new SyntheticTfjs(2, 2, 3).BatchNorm("bn", variance: -1f).WriteTo(dir), "BatchNorm 'bn'", "variance + epsilon", "channel 0");
    }

    [Test]
    public void FoldedConstantsThatOverflowNameTheLayer()
    {
        // Both factors are finite: 100 (the conv weight) times 1e37 (gamma / sqrt(var + eps)) is not, in float32.
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 3).PointwiseIdentity("conv", 100f).BatchNorm("bn", gamma: 1e37f);
        AssertFails(model.WriteTo(dir), "Conv2d 'conv'", "not finite", "folding BatchNorm 'bn'");
    }

    [Test]
    public void ValidConvThatDoesNotFitTheInputIsAShapeError()
    {
        using var dir = new TempDir();
        AssertFails(new SyntheticTfjs(1, 1, 3).Conv("conv", 3, 2).WriteTo(dir), "Conv2d 'conv'", "3x3", "3x1x1");
    }

    [TestCase(100, "longer", "expected 432 bytes, got 532")]
    [TestCase(-4, "shorter", "expected 432 bytes, got 428")]
    public void WeightsFileOfAnotherSizeThanTheManifestIsAnError(int extra, string word, string sizes)
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(3, 3, 3).Conv("conv", 3, 4);
        var bytes = model.WeightBytes();
        var changed = extra > 0 ? bytes.Concat(new byte[extra]).ToArray() : bytes[..(bytes.Length + extra)];
        var e = Assert.Throws<ModelLoadException>(() => TfjsLayersImporter.Load(model.WriteTo(dir, weights: changed)))!;
        Assert.That(e.Message, Does.Contain(dir.File("w.bin")).And.Contain(word).And.Contain(sizes));
    }

    [TestCase("[null, 2.5, 2, 3]", "batch_input_shape [null,2.5,2,3]")]
    [TestCase("[null, 100000, 100000, 3]", "3x100000x100000")]
    [TestCase("[null, 99999999999, 2, 3]", "batch_input_shape")]
    [TestCase("[null, -2, 2, 3]", "batch_input_shape")]
    [TestCase("\"big\"", "batch_input_shape")]
    public void BadInputShapeIsNamed(string shape, string mention)
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 3).Relu("relu");
        var json = model.Json();
        json["modelTopology"]!["config"]!["layers"]![0]!["config"]!["batch_input_shape"] = JsonNode.Parse(shape);
        AssertFails(model.WriteTo(dir, json), mention);
    }

    [TestCase("[[]]", "output_layers")]
    [TestCase("[[5]]", "output_layers")]
    [TestCase("[]", "0 outputs")]
    [TestCase("\"relu\"", "output_layers")]
    public void BadOutputLayersIsNamed(string outputs, string mention)
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 3).Relu("relu");
        var json = model.Json();
        json["modelTopology"]!["config"]!["output_layers"] = JsonNode.Parse(outputs);
        AssertFails(model.WriteTo(dir, json), mention);
    }

    [TestCase("null", "'modelTopology' is null")]
    [TestCase("7", "'modelTopology' is the number 7")]
    [TestCase("{\"model_config\": []}", "model_config")]
    [TestCase("{\"class_name\": 5}", "class_name")]
    [TestCase("{\"class_name\": \"Model\", \"config\": {\"layers\": [5]}}", "layers[0]")]
    [TestCase("{\"class_name\": \"Model\", \"config\": {\"layers\": [{\"name\": [], \"class_name\": \"ReLU\"}]}}", "layers[0].name")]
    public void BadTopologyIsNamed(string topology, string mention)
    {
        using var dir = new TempDir();
        var model = new SyntheticTfjs(2, 2, 3).Relu("relu");
        var json = model.Json();
        json["modelTopology"] = JsonNode.Parse(topology);
        AssertFails(model.WriteTo(dir, json), mention);
    }

    [Test]
    public void JsonNestedTooDeepSaysSo()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("model.json"), "{\"modelTopology\": " + new string('[', 300) + new string(']', 300) + "}");
        AssertFails(dir.File("model.json"), "not valid JSON", "depth of 64");
    }
}
