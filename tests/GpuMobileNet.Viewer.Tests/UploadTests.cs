using System.Net;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>POST /api/classify, the page's fallback without a camera: real photos are classified as the CLI does; text,
/// truncated files, huge bodies and small files that claim huge images get a 4xx with one clear error.</summary>
public class UploadTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    [Test]
    public async Task APhotoIsClassifiedAsTheCliClassifiesIt()
    {
        var (status, body) = await PostAsync(File.ReadAllBytes(ViewerServer.Photo("astronaut.png")));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        FrameSocketTests.AssertMatchesCli(body, ImageLoader.Load(ViewerServer.Photo("astronaut.png")));
    }

    [Test]
    public async Task ResizeModesChangeTheInputAndAnUnknownOneIsRefused()
    {
        var photo = File.ReadAllBytes(ViewerServer.Photo("rocket.jpg")); // portrait: crop and letterbox differ from stretch
        var top = new Dictionary<string, double>();
        foreach (var mode in new[] { "stretch", "crop", "letterbox" })
        {
            var (status, body) = await PostAsync(photo, $"?resize={mode}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            top[mode] = (double)body["top"]![0]!["p"]!;
        }
        Assert.That(top.Values.Distinct().Count(), Is.EqualTo(3), string.Join(", ", top));
        var (badStatus, bad) = await PostAsync(photo, "?resize=squash");
        Assert.That(badStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)bad["error"], Does.Contain("resize 'squash': expected stretch, crop or letterbox"));
    }

    [Test]
    public async Task TextIsNotAnImage()
    {
        var (status, body) = await PostAsync("hello, I am not a picture"u8.ToArray());
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("not a supported image"));
    }

    [Test]
    public async Task ATruncatedPhotoIsRefused()
    {
        var bytes = File.ReadAllBytes(ViewerServer.Photo("rocket.jpg"));
        var (status, body) = await PostAsync(bytes[..(bytes.Length / 2)]);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("truncated"));
    }

    [Test]
    public async Task AHugeUploadIs413()
    {
        var (status, body) = await PostAsync(new byte[ViewerServer.Instance.State.Options.MaxUploadBytes + 1000]);
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That((string?)body["error"], Does.Contain("more than"));
    }

    [Test]
    public async Task ASmallFileClaimingAHugeImageIsRefusedBeforeDecoding()
    {
        // A PNG signature, an IHDR chunk claiming 10000 x 10000 pixels (300 MB decoded, under stb's own limit) and an empty IDAT.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 0, 0, 0, 0];
        var (status, body) = await PostAsync(png);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("10000x10000"));
    }

    private static async Task<(HttpStatusCode, JsonObject)> PostAsync(byte[] bytes, string query = "")
    {
        // Expect: 100-continue, as curl sends for large bodies: the server can refuse before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ViewerServer.Instance.Url, "api/classify" + query)) { Content = new ByteArrayContent(bytes) };
        request.Headers.ExpectContinue = true;
        var r = await Http.SendAsync(request);
        return (r.StatusCode, (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }
}
