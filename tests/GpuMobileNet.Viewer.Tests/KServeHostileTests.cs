using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>Hostile REST clients of the KServe v2 API: a header length past the body, a 1 GiB body announced, a body
/// trickled slowly, requests cancelled while they wait their turn or run; each gets the protocol's error (or simply goes away) and the server
/// keeps answering the others. (Malformed JSON, wrong dtype or shape and binary sizes that disagree: KServeTests.)</summary>
public class KServeHostileTests
{
    private const string Model = "mobilenet_v1_0.25_128";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(120) };
    private static Uri InferUrl => new(ViewerServer.Instance.Url, $"v2/models/{Model}/infer");

    [TestCase("999999", "'999999' is not a length between 0 and the body's")]
    [TestCase("-1", "'-1' is not a length")]
    [TestCase("ten", "'ten' is not a length")]
    public async Task AHeaderLengthOutsideTheBodyIs400(string length, string expected)
    {
        var (json, image) = SmallImage();
        var content = new ByteArrayContent([.. json, .. image]);
        content.Headers.Add("Inference-Header-Content-Length", length);
        var r = await Http.PostAsync(InferUrl, content);
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await r.Content.ReadAsStringAsync(), Does.Contain(expected));
        Assert.That(await InferAsync(CancellationToken.None), Has.Length.EqualTo(1000), "the server still answers");
    }

    [Test]
    public async Task AGigabyteBodyIsRefusedWith413BeforeItIsSent()
    {
        // A raw socket: the server answers from the headers alone, while the client has sent 1 KiB of the gigabyte.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(ViewerServer.Instance.Url.Host, ViewerServer.Instance.Url.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v2/models/{Model}/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n" +
                   $"Content-Length: {1L << 30}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(new byte[1024]);
        var reply = new byte[4096];
        int n = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var text = Encoding.ASCII.GetString(reply, 0, n);
        Assert.That(text, Does.StartWith("HTTP/1.1 413"));
        Assert.That(text, Does.Contain("request body of more than"));
        Assert.That(await InferAsync(CancellationToken.None), Has.Length.EqualTo(1000), "the server still answers");
    }

    [Test]
    public async Task RequestsCancelledMidRunGoAwayAndTheOthersAreAnswered()
    {
        // Twelve at once on one model, queued behind a run this test holds for half a second (the repository's run gate); every
        // third is cancelled 50 ms in, while it waits its turn.
        Assert.That(await InferAsync(CancellationToken.None), Has.Length.EqualTo(1000), "loaded before the hold");
        var gate = ViewerServer.Instance.State.Repository.RunGate;
        await gate.WaitAsync();
        var calls = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            using var cancel = i % 3 == 0 ? new CancellationTokenSource(50) : new CancellationTokenSource();
            try { return await InferAsync(cancel.Token); }
            catch (TaskCanceledException) { return null; }
        })).ToArray();
        await Task.Delay(500);
        gate.Release();
        var results = await Task.WhenAll(calls);
        var answered = results.Where((_, i) => i % 3 != 0).ToList();
        Assert.That(answered, Is.All.Not.Null);
        Assert.That(results.Where((_, i) => i % 3 == 0), Is.All.Null);
        Assert.That(answered.Skip(1), Is.All.EqualTo(answered[0]).Within(1e-6));
        Assert.That(await InferAsync(CancellationToken.None), Is.EqualTo(answered[0]).Within(1e-6), "the server still answers");
    }

    [Test]
    public async Task ASlowSenderIsAnswered408WhileTheOthersAreServed()
    {
        // A server of its own whose bodies must come within 1.5 s. A raw socket sends the headers, then one byte of its
        // 4 KiB body every 100 ms (inside Kestrel's own 5 s grace for slow bodies), while a normal client is answered.
        using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, ApiOnly = true, Validation = true, BodyTimeout = TimeSpan.FromSeconds(1.5) });
        var url = new Uri(server.Url, $"v2/models/{Model}/infer");
        var expected = await InferAsync(CancellationToken.None, url); // loads the model first
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Url.Host, server.Url.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v2/models/{Model}/infer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4096\r\n\r\n"));
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            try
            {
                for (; !stop.IsCancellationRequested; await Task.Delay(100)) await stream.WriteAsync("{"u8.ToArray());
            }
            catch (IOException) { } // the server closed the connection
        });
        var other = await InferAsync(CancellationToken.None, url);
        var reply = new byte[4096];
        int n = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        await trickle;
        var text = Encoding.ASCII.GetString(reply, 0, n);
        Assert.That(text, Does.StartWith("HTTP/1.1 408"));
        Assert.That(text, Does.Match(@"request body not received within 1500 ms \(\d+ of 4096 bytes came\)"));
        Assert.That(other, Is.EqualTo(expected).Within(1e-6), "the other client was served");
        Assert.That(await InferAsync(CancellationToken.None, url), Is.EqualTo(expected).Within(1e-6), "the server still answers");
        Assert.That(server.ValidationMessages(), Is.Empty);
    }

    /// <summary>A 16x12 RGBA gradient as binary tensor data: the JSON header and the pixels.</summary>
    private static (byte[] Json, byte[] Image) SmallImage()
    {
        var image = Enumerable.Range(0, 12 * 16 * 4).Select(i => (byte)(i * 7)).ToArray();
        var json = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input", ["shape"] = new JsonArray(1, 12, 16, 4), ["datatype"] = "UINT8",
                ["parameters"] = new JsonObject { ["binary_data_size"] = image.Length },
            }),
        };
        return (Encoding.UTF8.GetBytes(json.ToJsonString()), image);
    }

    private static async Task<float[]> InferAsync(CancellationToken cancel, Uri? url = null)
    {
        var (json, image) = SmallImage();
        var content = new ByteArrayContent([.. json, .. image]);
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        var r = await Http.PostAsync(url ?? InferUrl, content, cancel);
        var body = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync(cancel))!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        return body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!).ToArray();
    }
}
