using System.Text.Json.Nodes;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>The importer on the real nsfwjs model, and on copies of it broken in one way each.</summary>
public class TfjsImporterTests
{
    private const string Bin = "group1-shard1of1.bin";

    [Test]
    public void BuildsTheNsfwjsMobileNetV2()
    {
        var g = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        Assert.That(g.Input.Shape, Is.EqualTo(new TensorShape(3, 224, 224)));
        Assert.That(g.Output.Shape, Is.EqualTo(new TensorShape(5, 1, 1)));
        // 162 Keras layers: the InputLayer and 2 Dropouts vanish, the softmax Dense becomes Dense + Softmax.
        Assert.That(g.Nodes, Has.Count.EqualTo(160));
        var counts = g.Nodes.GroupBy(n => n.OpType).ToDictionary(x => x.Key, x => x.Count());
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["Pad"] = 5, ["Conv2d"] = 52, ["BatchNorm"] = 52, ["Activation"] = 35, ["Add"] = 10,
            ["AvgPool"] = 1, ["Flatten"] = 1, ["Dense"] = 3, ["Softmax"] = 1,
        }));
        Assert.That(g.Nodes.OfType<Conv2dOp>().Count(c => c.IsDepthwise), Is.EqualTo(17));
        Assert.That(g.Nodes[^1], Is.TypeOf<SoftmaxOp>());
    }

    [Test]
    public void DequantisesAndTransposesConvKernelsToOihw()
    {
        // Conv1/kernel is the manifest's first weight, so its bytes start the .bin: Keras [KH,KW,In,Out] = [3,3,3,32].
        var json = JsonNode.Parse(File.ReadAllText(TestPaths.NsfwjsModelJson))!;
        var spec = json["weightsManifest"]![0]!["weights"]![0]!;
        Assert.That((string?)spec["name"], Is.EqualTo("Conv1/kernel"));
        double min = (double)spec["quantization"]!["min"]!, scale = (double)spec["quantization"]!["scale"]!;
        var bytes = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(TestPaths.NsfwjsModelJson)!, Bin));

        var conv = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson).Nodes.OfType<Conv2dOp>().First(c => c.Name == "Conv1");
        foreach (var (y, x, i, o) in new[] { (0, 0, 0, 0), (1, 2, 1, 5), (2, 1, 2, 31) })
        {
            int keras = ((y * 3 + x) * 3 + i) * 32 + o;
            int oihw = ((o * 3 + i) * 3 + y) * 3 + x;
            Assert.That(conv.Weights[oihw], Is.EqualTo((float)(bytes[keras] * scale + min)), $"element y{y} x{x} i{i} o{o}");
        }
    }

    [Test]
    public void MissingFileNamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "gmn-no-such-dir", "model.json");
        Assert.That(() => TfjsLayersImporter.Load(path),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains(path).And.Message.Contains("not found"));
    }

    [Test]
    public void CorruptJsonSaysWhere()
    {
        using var dir = CopyModel(out string json);
        var text = File.ReadAllText(json);
        File.WriteAllText(json, text[..(text.Length / 2)]);
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains(json).And.Message.Contains("not valid JSON at line 1"));
    }

    [Test]
    public void TruncatedWeightsSayExpectedAndActualBytes()
    {
        using var dir = CopyModel(out string json);
        var bytes = File.ReadAllBytes(dir.File(Bin));
        File.WriteAllBytes(dir.File(Bin), bytes[..(bytes.Length / 2)]);
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains(dir.File(Bin))
                .And.Message.Contains($"expected {bytes.Length} bytes, got {bytes.Length / 2}"));
    }

    [Test]
    public void MissingWeightsFileNamesIt()
    {
        using var dir = CopyModel(out string json);
        File.Delete(dir.File(Bin));
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains(dir.File(Bin)).And.Message.Contains("missing"));
    }

    [Test]
    public void UnsupportedLayerNamesClassAndLayer()
    {
        using var dir = CopyModel(out string json);
        Edit(json, root => Layer(root, "expanded_conv_depthwise")["class_name"] = "SeparableConv2D");
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("unsupported layer class 'SeparableConv2D'")
                .And.Message.Contains("'expanded_conv_depthwise'").And.Message.Contains(json));
    }

    [Test]
    public void MissingWeightNamesIt()
    {
        using var dir = CopyModel(out string json);
        Edit(json, root =>
        {
            // Renamed, not removed: the manifest must still account for every byte of the weights file.
            var weights = root["weightsManifest"]![0]!["weights"]!.AsArray();
            weights.First(w => (string?)w!["name"] == "bn_Conv1/gamma")!["name"] = "bn_Conv1/gamma_renamed";
        });
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("missing weight 'bn_Conv1/gamma'"));
    }

    [Test]
    public void ShapeMismatchNamesWeightAndBothShapes()
    {
        using var dir = CopyModel(out string json);
        Edit(json, root =>
        {
            var spec = root["weightsManifest"]![0]!["weights"]!.AsArray().First(w => (string?)w!["name"] == "Conv1/kernel")!;
            spec["shape"] = new JsonArray(3, 3, 32, 3); // same element count, so only the shape check can catch it
        });
        Assert.That(() => TfjsLayersImporter.Load(json),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("shape mismatch: weight 'Conv1/kernel' is [3,3,32,3]")
                .And.Message.Contains("expects [3,3,3,32]"));
    }

    private static TempDir CopyModel(out string json)
    {
        var dir = new TempDir();
        string src = Path.GetDirectoryName(TestPaths.NsfwjsModelJson)!;
        File.Copy(TestPaths.NsfwjsModelJson, dir.File("model.json"));
        File.Copy(Path.Combine(src, Bin), dir.File(Bin));
        json = dir.File("model.json");
        return dir;
    }

    private static void Edit(string json, Action<JsonNode> change)
    {
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        change(root);
        File.WriteAllText(json, root.ToJsonString());
    }

    private static JsonNode Layer(JsonNode root, string name) =>
        root["modelTopology"]!["model_config"]!["config"]!["layers"]!.AsArray().First(l => (string?)l!["name"] == name)!;
}
