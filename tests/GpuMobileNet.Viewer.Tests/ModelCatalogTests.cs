using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Import;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Import.Tflite;
using GpuMobileNet.Viewer;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The model picker's list: the nsfwjs model first, the built-in architectures, and every model file (ONNX,
/// TFLite, TF.js model.json) a user drops into the models folder (with labels.txt beside it), which a client can then
/// select and use, and the KServe API serve.</summary>
[NonParallelizable]
public class ModelCatalogTests
{
    [Test]
    public async Task AModelDroppedIntoTheModelsFolderCanBePickedAndRun()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-models-").FullName;
        try
        {
            var sub = Directory.CreateDirectory(Path.Combine(dir, "mine")).FullName;
            var source = Path.Combine(ViewerServer.RepoRoot, "models", "cache", "nsfwjs_mobilenet_v2");
            foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(sub, Path.GetFileName(f)));
            File.WriteAllLines(Path.Combine(sub, "labels.txt"), ["d", "h", "n", "p", "s"]);
            File.WriteAllText(Path.Combine(dir, "notes.json"), "{\"not\": \"a model\"}");
            using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, ModelsDir = dir, DefaultModel = "mobilenet_v1_0.25_128", Validation = true });
            var names = server.State.Catalog.Names();
            Assert.That(names[0], Is.EqualTo(ModelCatalog.NsfwjsName));
            Assert.That(names, Does.Contain("mobilenet_v2_1.0_224").And.Contain("mobilenet_v1_0.5_160").And.Contain("user/mine/model.json"));
            Assert.That(names, Does.Not.Contain("user/notes.json"), "JSON that is not a TF.js model is not offered");

            using var client = await ViewerClient.ConnectAsync(server.WebSocketUrl);
            await client.ReadUntilAsync("model");
            await client.SendTextAsync("{\"type\":\"model\",\"name\":\"user/mine/model.json\"}");
            var model = await client.ReadUntilAsync("model");
            Assert.That((string?)model!["name"], Is.EqualTo("user/mine/model.json"), model.ToJsonString());
            await client.SendFrameAsync(ViewerClient.PhotoFrame("chelsea.png", 224, 224), 224, 224);
            var result = await client.ReadUntilAsync("result");
            Assert.That(result!["top"]!.AsArray().Select(t => (string?)t!["label"]), Is.SubsetOf(new[] { "d", "h", "n", "p", "s" }));
            Assert.That(server.ValidationMessages(), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>An ONNX and a TFLite classifier (named by content: the ONNX file has no .onnx extension) in sub-folders of the
    /// models folder are offered, and KServe's metadata and infer serve them: its outputs equal the CPU oracle's on the
    /// imported graph.</summary>
    [Test]
    public async Task OnnxAndTfliteModelsInTheModelsFolderAreServedOverKServe()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-models-").FullName;
        try
        {
            var onnx = Drop(dir, "onnx", "v1.model", OnnxExporter.ToBytes(MobileNetV1.Create(0.25, 40, 5, WeightInit.Random(2))), 5);
            var tflite = Drop(dir, "tflite", "tiny.tflite", TfliteModelBuilder.Classifier(7, 33, 29, 4), 4);
            using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, ModelsDir = dir, DefaultModel = "mobilenet_v1_0.25_128", Validation = true });
            var names = server.State.Catalog.Names();
            Assert.That(names, Does.Contain("user/onnx/v1.model").And.Contain("user/tflite/tiny.tflite"));
            Assert.That(names.Where(n => n.EndsWith("labels.txt", StringComparison.Ordinal)), Is.Empty, "labels are not models");

            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };
            foreach (var (name, path) in new[] { ("user/onnx/v1.model", onnx), ("user/tflite/tiny.tflite", tflite) })
            {
                var graph = ModelImporter.Load(path);
                var s = graph.Input.Shape;
                string url = "v2/models/" + Uri.EscapeDataString(name);
                var meta = JsonNode.Parse(await http.GetStringAsync(url))!;
                Assert.That(meta["inputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, s.C, s.H, s.W }), name);

                var input = Enumerable.Range(0, s.Elements).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
                var request = new JsonObject
                {
                    ["inputs"] = new JsonArray(new JsonObject
                    {
                        ["name"] = graph.Input.Name, ["shape"] = new JsonArray(1, s.C, s.H, s.W), ["datatype"] = "FP32",
                        ["data"] = new JsonArray(input.Select(v => (JsonNode)v).ToArray()),
                    }),
                };
                var r = await http.PostAsync(url + "/infer", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
                var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
                Assert.That(r.IsSuccessStatusCode, Is.True, body.ToJsonString());
                Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(ReferenceExecutor.Run(graph, input)).Within(1e-4), name);
            }
            Assert.That(server.ValidationMessages(), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Writes a model and a labels.txt of <paramref name="classes"/> lines into a sub-folder; returns the model's path.</summary>
    private static string Drop(string dir, string folder, string file, byte[] model, int classes)
    {
        var sub = Directory.CreateDirectory(Path.Combine(dir, folder)).FullName;
        File.WriteAllLines(Path.Combine(sub, "labels.txt"), Enumerable.Range(0, classes).Select(i => $"{folder} {i}"));
        File.WriteAllBytes(Path.Combine(sub, file), model);
        return Path.Combine(sub, file);
    }
}
