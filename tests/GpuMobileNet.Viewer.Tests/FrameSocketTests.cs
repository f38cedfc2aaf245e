using System.Net.WebSockets;
using System.Text.Json.Nodes;
using GpuMobileNet.Viewer;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The /ws protocol: frames are classified as the CLI classifies them, and every kind of bad client gets one
/// clear error while the server keeps serving the others.</summary>
[NonParallelizable]
public class FrameSocketTests
{
    private static Uri Ws => ViewerServer.Instance.WebSocketUrl;

    [Test]
    public async Task AFrameIsClassifiedAsTheCliClassifiesIt()
    {
        using var client = await ViewerClient.ConnectAsync(Ws);
        var model = await client.ReadUntilAsync("model");
        Assert.That((string?)model!["name"], Is.EqualTo(ModelCatalog.NsfwjsName));
        var rgba = ViewerClient.PhotoFrame("chelsea.png", 224, 224);
        await client.SendFrameAsync(rgba, 224, 224);
        var result = await client.ReadUntilAsync("result");
        Assert.That((string?)result!["type"], Is.EqualTo("result"), result.ToJsonString());
        AssertMatchesCli(result, ViewerClient.FromRgba(rgba, 224, 224));
        var timing = result["timing"]!;
        Assert.That((double)timing["inference"]!, Is.GreaterThan(0));
    }

    [Test]
    public async Task FramesOfAnySizeAreStretchedOnTheDevice()
    {
        using var client = await ViewerClient.ConnectAsync(Ws);
        await client.ReadUntilAsync("model");
        var rgba = ViewerClient.PhotoFrame("coffee.png", 301, 177);
        await client.SendFrameAsync(rgba, 301, 177);
        var result = await client.ReadUntilAsync("result");
        AssertMatchesCli(result!, ViewerClient.FromRgba(rgba, 301, 177));
    }

    internal static void AssertMatchesCli(JsonObject result, Imaging.RgbImage frame)
    {
        var expected = CliReference.Nsfwjs(frame);
        var top = result["top"]!.AsArray();
        Assert.That(top, Has.Count.EqualTo(5));
        foreach (var t in top)
        {
            int k = CliReference.Labels.ToList().IndexOf((string)t!["label"]!);
            Assert.That((double)t["p"]!, Is.EqualTo(expected[k]).Within(1e-3), $"probability of {t["label"]}");
        }
    }

    [TestCase(new byte[] { 1, 0 }, "shorter than the 4-byte frame header")]
    [TestCase(new byte[] { 10, 0, 10, 0, 1, 2, 3 }, "10x10 RGBA8 = 404 bytes")]
    [TestCase(new byte[] { 0, 0, 10, 0 }, "must be positive")]
    public async Task AMalformedFrameGetsOneErrorAndOthersAreStillServed(byte[] message, string expected)
    {
        using var good = await ViewerClient.ConnectAsync(Ws);
        await good.ReadUntilAsync("model");
        using var bad = await ViewerClient.ConnectAsync(Ws);
        await bad.ReadUntilAsync("model");
        await bad.SendBytesAsync(message);
        var error = await bad.ReadUntilAsync("error");
        Assert.That((string?)error!["error"], Does.Contain(expected));
        Assert.That(await bad.ReadAsync(), Is.Null, "the offending client is closed after its error");
        await AssertServedAsync(good);
    }

    [Test]
    public async Task AnOversizedFrameIsRefusedWithoutBufferingIt()
    {
        using var bad = await ViewerClient.ConnectAsync(Ws);
        await bad.ReadUntilAsync("model");
        int limit = ViewerServer.Instance.State.Options.MaxFrameBytes;
        var chunk = new byte[1 << 20];
        var errorTask = bad.ReadUntilAsync("error");
        try
        {
            // Keep sending one message well past the limit: the server answers once it is over.
            for (int sent = 0; sent < limit * 3 && !errorTask.IsCompleted; sent += chunk.Length)
                await bad.SendBytesAsync(chunk, endOfMessage: false);
        }
        catch (WebSocketException) { } // the server closed while we were still sending
        var error = await errorTask;
        Assert.That((string?)error!["error"], Does.Contain($"more than {limit} bytes"));
        using var good = await ViewerClient.ConnectAsync(Ws);
        await good.ReadUntilAsync("model");
        await AssertServedAsync(good);
    }

    [TestCase("this is not json", "not a JSON control message")]
    [TestCase("{\"type\":\"dance\"}", "unknown control message type 'dance'")]
    [TestCase("[1,2]", "not a JSON object")]
    public async Task ABadTextMessageGetsOneError(string text, string expected)
    {
        using var bad = await ViewerClient.ConnectAsync(Ws);
        await bad.ReadUntilAsync("model");
        await bad.SendTextAsync(text);
        var error = await bad.ReadUntilAsync("error");
        Assert.That((string?)error!["error"], Does.Contain(expected));
        Assert.That(await bad.ReadAsync(), Is.Null);
    }

    [Test]
    public async Task AnUnknownModelIsAnErrorButTheClientStaysConnected()
    {
        using var client = await ViewerClient.ConnectAsync(Ws);
        await client.ReadUntilAsync("model");
        await client.SendTextAsync("{\"type\":\"model\",\"name\":\"nope\"}");
        var error = await client.ReadUntilAsync("error");
        Assert.That((string?)error!["error"], Does.Contain("unknown model 'nope'"));
        await AssertServedAsync(client);
    }

    [Test]
    public async Task AFloodIsAnsweredLatestFrameFirstWithoutQueueing()
    {
        using var client = await ViewerClient.ConnectAsync(Ws);
        await client.ReadUntilAsync("model");
        var frames = Enumerable.Range(0, 40).Select(i => ViewerClient.PhotoFrame(i % 2 == 0 ? "chelsea.png" : "rocket.jpg", 64 + i, 64)).ToArray();
        for (int i = 0; i < frames.Length; i++) await client.SendFrameAsync(frames[i], 64 + i, 64);
        // Every frame either got a result or was dropped; the last one sent is always answered (it is never replaced).
        long results = 0, dropped = 0;
        JsonObject? last = null;
        while (results + dropped < frames.Length)
        {
            last = await client.ReadUntilAsync("result");
            Assert.That((string?)last!["type"], Is.EqualTo("result"), last.ToJsonString());
            results++;
            dropped = (long)last["dropped"]!;
        }
        Assert.That(results + dropped, Is.EqualTo(frames.Length));
        Assert.That(dropped, Is.GreaterThan(0), "a flood of 40 frames sent at once must drop some");
        Assert.That((string?)last!["frame"], Is.EqualTo($"{64 + frames.Length - 1}x64"), "the newest frame is the one answered last");
    }

    [Test]
    public async Task AClientThatDisconnectsMidFrameDoesNotDisturbTheOthers()
    {
        using var good = await ViewerClient.ConnectAsync(Ws);
        await good.ReadUntilAsync("model");
        for (int i = 0; i < 3; i++)
        {
            var quitter = await ViewerClient.ConnectAsync(Ws);
            await quitter.ReadUntilAsync("model");
            var frame = FrameHeader.Build(224, 224, ViewerClient.PhotoFrame("chelsea.png", 224, 224));
            await quitter.SendBytesAsync(frame[..(frame.Length / 2)], endOfMessage: false);
            quitter.Socket.Abort();
            quitter.Dispose();
        }
        await AssertServedAsync(good);
    }

    [Test]
    public async Task EightClientsAtOnceAreAllServed()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ViewerClient.ConnectAsync(Ws)));
        try
        {
            await Task.WhenAll(clients.Select(c => c.ReadUntilAsync("model")));
            var rgba = ViewerClient.PhotoFrame("astronaut.png", 224, 224);
            var results = await Task.WhenAll(clients.Select(async c =>
            {
                await c.SendFrameAsync(rgba, 224, 224);
                return await c.ReadUntilAsync("result");
            }));
            foreach (var r in results)
                AssertMatchesCli(r!, ViewerClient.FromRgba(rgba, 224, 224));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Test]
    public async Task OneClientTooManyGetsAnError()
    {
        using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, MaxClients = 2, DefaultModel = "mobilenet_v1_0.25_128", Validation = true });
        using var a = await ViewerClient.ConnectAsync(server.WebSocketUrl);
        using var b = await ViewerClient.ConnectAsync(server.WebSocketUrl);
        await a.ReadUntilAsync("model");
        await b.ReadUntilAsync("model");
        using var c = await ViewerClient.ConnectAsync(server.WebSocketUrl);
        var error = await c.ReadUntilAsync("model");
        Assert.That((string?)error!["error"], Does.Contain("at most 2 clients"));
        await AssertServedAsync(a, 128);
    }

    [Test]
    public async Task TeachingOverTheSocketSwitchesPredictionsToTheTaughtClasses()
    {
        using var client = await ViewerClient.ConnectAsync(Ws, "socket-teach-" + Guid.NewGuid().ToString("N")[..8]);
        await client.ReadUntilAsync("model");
        await client.SendTextAsync("{\"type\":\"train\"}");
        Assert.That((string?)(await client.ReadUntilAsync("trained"))!["error"], Does.Contain("at least two classes"));
        foreach (var (label, photo) in new[] { ("cat", "chelsea.png"), ("cup", "coffee.png") })
        {
            await client.SendTextAsync($"{{\"type\":\"capture\",\"label\":\"{label}\",\"frames\":6}}");
            await client.ReadUntilAsync("capturing");
            for (int i = 0; i < 6; i++)
            {
                await client.SendFrameAsync(ViewerClient.PhotoFrame(photo, 180 + 10 * i, 200 - 7 * i), 180 + 10 * i, 200 - 7 * i);
                await client.ReadUntilAsync("result");
            }
        }
        await client.SendTextAsync("{\"type\":\"train\"}");
        var trained = await client.ReadUntilAsync("trained");
        Assert.That(trained!["classes"]!.AsArray().Select(c => (string?)c), Is.EqualTo(new[] { "cat", "cup" }), trained.ToJsonString());
        foreach (var (label, photo) in new[] { ("cup", "coffee.png"), ("cat", "chelsea.png") })
        {
            await client.SendFrameAsync(ViewerClient.PhotoFrame(photo, 224, 224), 224, 224);
            var result = await client.ReadUntilAsync("result");
            Assert.That((string?)result!["source"], Is.EqualTo("taught"));
            Assert.That((string?)result["top"]![0]!["label"], Is.EqualTo(label), result.ToJsonString());
        }
        await client.SendTextAsync("{\"type\":\"head\"}");
        var head = await client.ReadUntilAsync("head");
        Assert.That(Teach.TaughtHead.FromJson(head!["head"]!.ToJsonString()).Features, Is.EqualTo(1280));
    }

    [Test]
    public async Task ClassesAreRenamedWithoutDuplicatesRemovedAndACaptureStopsWhenAsked()
    {
        using var client = await ViewerClient.ConnectAsync(Ws, "socket-rename-" + Guid.NewGuid().ToString("N")[..8]);
        await client.ReadUntilAsync("model");
        async Task<JsonObject> FrameAsync()
        {
            await client.SendFrameAsync(ViewerClient.PhotoFrame("coffee.png", 64, 48), 64, 48);
            return (await client.ReadUntilAsync("result"))!;
        }
        await client.SendTextAsync("{\"type\":\"capture\",\"label\":\"a\",\"frames\":1000}");
        await client.ReadUntilAsync("capturing");
        await FrameAsync();
        await client.SendTextAsync("{\"type\":\"stop\"}");
        await client.ReadUntilAsync("stopped");
        Assert.That((int)(await FrameAsync())["samples"]!["a"]!, Is.EqualTo(1), "no frame is captured after stop");
        await client.SendTextAsync("{\"type\":\"capture\",\"label\":\"b\",\"frames\":1}");
        await client.ReadUntilAsync("capturing");
        await FrameAsync();
        await client.SendTextAsync("{\"type\":\"rename\",\"from\":\"a\",\"to\":\"b\"}");
        Assert.That((string?)(await client.ReadUntilAsync("error"))!["error"], Does.Contain("'b' already exists"));
        await client.SendTextAsync("{\"type\":\"rename\",\"from\":\"a\",\"to\":\" c \"}");
        Assert.That((string?)(await client.ReadUntilAsync("renamed"))!["to"], Is.EqualTo("c"));
        Assert.That((await FrameAsync())["samples"]!.ToJsonString(), Is.EqualTo("{\"c\":1,\"b\":1}"));
        await client.SendTextAsync("{\"type\":\"remove\",\"label\":\"b\"}");
        Assert.That((string?)(await client.ReadUntilAsync("removed"))!["label"], Is.EqualTo("b"));
        Assert.That((await FrameAsync())["samples"]!.ToJsonString(), Is.EqualTo("{\"c\":1}"));
    }

    internal static async Task AssertServedAsync(ViewerClient client, int size = 224)
    {
        await client.SendFrameAsync(ViewerClient.PhotoFrame("rocket.jpg", size, size), size, size);
        var result = await client.ReadUntilAsync("result");
        Assert.That((string?)result?["type"], Is.EqualTo("result"), result?.ToJsonString() ?? "connection closed");
    }
}
