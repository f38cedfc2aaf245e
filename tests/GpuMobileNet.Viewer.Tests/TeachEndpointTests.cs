using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using GpuMobileNet.Import;
using GpuMobileNet.Teach;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>Teaching from uploaded images, rename without duplicates, delete, the confusion matrix in the train reply,
/// and the taught model's ONNX and TF.js downloads, which load back into the viewer's model path and classify as the
/// taught head does.</summary>
public class TeachEndpointTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(120) };
    private static ViewerServer.Running Server => ViewerServer.Instance;

    private static string NewSession() => "teach-http-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<(HttpStatusCode Status, JsonObject Body)> UploadAsync(string session, string label, string photo)
    {
        var url = new Uri(Server.Url, $"api/teach/samples?session={session}&label={Uri.EscapeDataString(label)}");
        var r = await Http.PostAsync(url, new ByteArrayContent(File.ReadAllBytes(ViewerServer.Photo(photo))));
        return (r.StatusCode, (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task UploadedImagesTeachAndTheExportsClassifyLikeTheHead()
    {
        var session = NewSession();
        using var client = await ViewerClient.ConnectAsync(Server.WebSocketUrl, session);
        await client.ReadUntilAsync("model");
        foreach (var (label, photos) in new[] { ("cat", new[] { "chelsea.png", "astronaut.png" }), ("cup", new[] { "coffee.png", "rocket.jpg" }) })
            for (int i = 0; i < 5; i++)
            {
                var (status, body) = await UploadAsync(session, label, photos[i % 2]);
                Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
                Assert.That((int)body["samples"]!, Is.EqualTo(i + 1));
            }
        await client.SendTextAsync("{\"type\":\"train\",\"kind\":\"softmax\"}");
        var trained = await client.ReadUntilAsync("trained");
        Assert.That(trained!["classes"]!.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "cat", "cup" }), trained.ToJsonString());
        var confusion = trained["confusion"]!.AsArray().Select(row => row!.AsArray().Select(n => (int)n!).ToArray()).ToArray();
        Assert.That(confusion.Select(row => row.Sum()), Is.EqualTo(new[] { 1, 1 }), "one held-out sample per class, rows = true class");
        Assert.That(confusion[0][0] + confusion[1][1], Is.EqualTo((double)trained["heldOut"]!["softmax"]! * 2).Within(1e-9), "the diagonal is the held-out accuracy");

        var frame = ViewerClient.PhotoFrame("coffee.png", 200, 150);
        await client.SendFrameAsync(frame, 200, 150);
        var taught = (await client.ReadUntilAsync("result"))!["top"]!.AsArray().ToDictionary(t => (string)t!["label"]!, t => (double)t!["p"]!);
        Assert.That(taught.Keys, Is.EquivalentTo(new[] { "cat", "cup" }));

        var onnx = await Http.GetByteArrayAsync(new Uri(Server.Url, $"api/teach/export?session={session}&format=onnx"));
        using var zip = new ZipArchive(new MemoryStream(await Http.GetByteArrayAsync(new Uri(Server.Url, $"api/teach/export?session={session}&format=tfjs"))));
        using var dir = new TempFolder();
        zip.ExtractToDirectory(dir.Path);
        Assert.That(File.ReadAllLines(Path.Combine(dir.Path, "labels.txt")), Is.EqualTo(new[] { "cat", "cup" }));
        foreach (var graph in new[] { ModelImporter.Load(onnx, "taught.onnx"), ModelImporter.Load(Path.Combine(dir.Path, "model.json")) })
        {
            using var model = new LoadedModel("exported", graph, ["cat", "cup"], Server.State.Catalog.Device);
            var scores = model.ClassifyRgba8(frame, 200, 150, null).Scores;
            Assert.That(scores[0], Is.EqualTo(taught["cat"]).Within(1e-4), graph.Name);
            Assert.That(scores[1], Is.EqualTo(taught["cup"]).Within(1e-4), graph.Name);
        }
        Assert.That(Server.ValidationMessages(), Is.Empty);
    }

    [Test]
    public async Task RenameRefusesDuplicatesAndDeleteDropsTheClass()
    {
        var session = NewSession();
        using var client = await ViewerClient.ConnectAsync(Server.WebSocketUrl, session);
        await client.ReadUntilAsync("model");
        await UploadAsync(session, "cat", "chelsea.png");
        await UploadAsync(session, "cup", "coffee.png");
        var teacher = Server.State.SharedTeacher(session)!;
        await client.SendTextAsync("{\"type\":\"rename\",\"from\":\"cat\",\"to\":\"cup\"}");
        Assert.That((string?)(await client.ReadUntilAsync("renamed"))!["error"], Does.Contain("'cup' already exists"));
        await client.SendTextAsync("{\"type\":\"rename\",\"from\":\"cat\",\"to\":\" kitten \"}");
        Assert.That((string?)(await client.ReadUntilAsync("renamed"))!["to"], Is.EqualTo("kitten"));
        Assert.That(teacher.Counts(), Is.EqualTo(new Dictionary<string, int> { ["kitten"] = 1, ["cup"] = 1 }));
        await client.SendTextAsync("{\"type\":\"remove\",\"label\":\"cup\"}");
        await client.ReadUntilAsync("removed");
        Assert.That(teacher.Counts(), Is.EqualTo(new Dictionary<string, int> { ["kitten"] = 1 }));
    }

    [Test]
    public async Task BadTeachRequestsGetOneClearError()
    {
        var session = NewSession();
        var (status, body) = await UploadAsync("bad session!", "cat", "chelsea.png");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("session 'bad session!'"));
        (status, body) = await UploadAsync(session, " ", "chelsea.png");
        Assert.That((string?)body["error"], Does.Contain("?label="));
        var export = await Http.GetAsync(new Uri(Server.Url, $"api/teach/export?session={session}&format=onnx"));
        Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await export.Content.ReadAsStringAsync(), Does.Contain("no taught head"));
        export = await Http.GetAsync(new Uri(Server.Url, $"api/teach/export?session={session}&format=pb"));
        Assert.That(await export.Content.ReadAsStringAsync(), Does.Contain("expected onnx, tfjs or labels"));
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gmn-teach-").FullName;
        public void Dispose() => Directory.Delete(Path, true);
    }
}
