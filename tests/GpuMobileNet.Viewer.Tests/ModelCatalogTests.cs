using System.Text.Json.Nodes;
using GpuMobileNet.Viewer;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The model picker's list: the nsfwjs model first, the built-in architectures, and every TF.js model.json a
/// user drops into the models folder (with labels.txt beside it), which a client can then select and use.</summary>
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
}
