using System.Net;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>POST /api/detect, the page's detection mode: a frame of chelsea.png at the SSD's size finds the cat with a box
/// covering most of the picture; malformed frames and thresholds get a 400 with one clear error.</summary>
public class DetectEndpointTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(120) };

    [Test]
    public async Task AFrameOfTheCatFindsTheCat()
    {
        var photo = ImageLoader.Load(ViewerServer.Photo("chelsea.png"));
        var rgba = new byte[photo.Width * photo.Height * 4];
        for (int i = 0; i < photo.Width * photo.Height; i++)
        {
            rgba[4 * i] = photo.Pixels[3 * i];
            rgba[4 * i + 1] = photo.Pixels[3 * i + 1];
            rgba[4 * i + 2] = photo.Pixels[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        var (status, body) = await PostAsync(FrameHeader.Build(photo.Width, photo.Height, rgba));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        var cat = body["detections"]!.AsArray().Single(d => (string?)d!["label"] == "Cat")!;
        var box = cat["box"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.That((box[2] - box[0]) * (box[3] - box[1]), Is.GreaterThan(0.5), $"cat box {string.Join(", ", box)}");
        Assert.That((double)body["networkMs"]!, Is.GreaterThan(0));
    }

    [Test]
    public async Task AShortFrameIsRefused()
    {
        var (status, body) = await PostAsync([1, 0]);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("shorter than the 4-byte frame header"));
    }

    [Test]
    public async Task ABadThresholdIsRefused()
    {
        var (status, body) = await PostAsync(FrameHeader.Build(1, 1, new byte[4]), "?threshold=7");
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)body["error"], Does.Contain("threshold"));
    }

    private static async Task<(HttpStatusCode, JsonObject)> PostAsync(byte[] bytes, string query = "")
    {
        var r = await Http.PostAsync(new Uri(ViewerServer.Instance.Url, "api/detect" + query), new ByteArrayContent(bytes));
        return (r.StatusCode, (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }
}
