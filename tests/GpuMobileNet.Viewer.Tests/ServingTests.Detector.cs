using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

// The SSD detector served with its decoded detections as named outputs, against the engine's SsdDetector.
public partial class ServingTests
{
    private const string Detector = "ssd_mobilenet_v2_objectron";

    [Test]
    public async Task TheSsdDetectorServesItsDecodedDetectionsAsNamedOutputs()
    {
        var photo = ImageLoader.Load(ViewerServer.Photo("chelsea.png"));
        var labels = Labels.LoadLabels(Path.Combine(ViewerServer.RepoRoot, DetectEndpoint.LabelsRelative));
        using var reference = SsdDetector.Load(Path.Combine(ViewerServer.RepoRoot, DetectEndpoint.ModelRelative), _server.State.Catalog.Device, labels);
        var expected = reference.Detect(photo).Detections;
        Assert.That(expected.Select(d => d.Label), Does.Contain("Cat"));

        var (_, meta) = await GetAsync(ModelUrl(Detector));
        Assert.That(Shapes(meta["outputs"]!), Is.EqualTo(new[]
        {
            ("detection_boxes", "FP32", "-1,100,4"), ("detection_classes", "FP32", "-1,100"), ("detection_scores", "FP32", "-1,100"), ("num_detections", "FP32", "-1,1"),
        }));
        var s = reference.Session.InputShape;
        var (status, body) = await PostAsync(ModelUrl(Detector) + "/infer", Request(reference.Session.Graph.Input.Name, [1, s.C, s.H, s.W], reference.Preprocess(photo)));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        CheckDetections(body, expected, 1e-4);

        // The same photo as a UINT8 image: stretched and scaled to [-1, 1] on the device instead of on the CPU.
        var rgba = ViewerClient.ToRgba(photo);
        var header = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = meta["inputs"]![1]!["name"]!.GetValue<string>(), ["shape"] = new JsonArray(1, photo.Height, photo.Width, 4), ["datatype"] = "UINT8",
                ["parameters"] = new JsonObject { ["binary_data_size"] = rgba.Length },
            }),
        }.ToJsonString());
        var content = new ByteArrayContent([.. header, .. rgba]);
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString());
        var r = await _http.PostAsync(ModelUrl(Detector) + "/infer", content);
        var imageBody = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), imageBody.ToJsonString());
        CheckDetections(imageBody, expected, 1e-3);
    }

    /// <summary>The response's detections equal <paramref name="expected"/>: count, classes, scores and boxes (ymin, xmin,
    /// ymax, xmax), zero-padded to 100.</summary>
    private static void CheckDetections(JsonNode body, IReadOnlyList<Detection.Detection> expected, double tolerance)
    {
        float[] Data(string name) => body["outputs"]!.AsArray().Single(o => (string?)o!["name"] == name)!["data"]!.AsArray().Select(v => (float)v!).ToArray();
        int n = expected.Count;
        Assert.That(Data("num_detections"), Is.EqualTo(new[] { (float)n }));
        Assert.That(Data("detection_classes")[..n], Is.EqualTo(expected.Select(d => (float)d.ClassId)));
        Assert.That(Data("detection_scores")[..n], Is.EqualTo(expected.Select(d => d.Score)).Within(tolerance));
        Assert.That(Data("detection_boxes")[..(4 * n)], Is.EqualTo(expected.SelectMany(d => new[] { d.Box.YMin, d.Box.XMin, d.Box.YMax, d.Box.XMax })).Within(tolerance));
        Assert.That(Data("detection_scores")[n..], Is.All.Zero, "padding");
    }
}
