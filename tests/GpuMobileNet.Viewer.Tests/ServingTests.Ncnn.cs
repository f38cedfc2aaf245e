using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

// ncnn detectors dropped into the models folder: served with their host layers' detections as named outputs, against
// NcnnDetector (what `gmn detect` runs) on the same seeded weights and photos.
public partial class ServingTests
{
    /// <param name="model">A .param of benchncnn's list (shared/peers/ncnn/params).</param>
    /// <param name="layer">Its detection layer, whose confidence threshold (param <paramref name="thresholdId"/>) is
    /// lowered so that seeded random weights find boxes.</param>
    [TestCase("mobilenet_ssd", "DetectionOutput", 4, 0.08f)]
    [TestCase("yolo-fastest-1.1", "Yolov3DetectionOutput", 2, 0.5f)]
    public async Task AnNcnnDetectorIsServedWithItsDecodedDetectionsAsNamedOutputs(string model, string layer, int thresholdId, float threshold)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "detect-" + model)).FullName;
        var param = Path.Combine(folder, model + ".param");
        File.WriteAllLines(param, File.ReadAllLines(PeerParam(model)).Select(l => l.StartsWith(layer + " ", StringComparison.Ordinal)
            ? string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(t => !t.StartsWith($"{thresholdId}=", StringComparison.Ordinal))
                .Append(string.Create(CultureInfo.InvariantCulture, $"{thresholdId}={threshold:E6}")))
            : l));
        NcnnImporter.WriteRandomWeights(param, Path.ChangeExtension(param, ".bin"), seed: 1); // the .bin beside it is read
        string name = $"user/detect-{model}/{model}.param";

        using var reference = NcnnDetector.Load(param, new ModelImportOptions(), _server.State.Catalog.Device, null);
        var (w, h) = reference.InputSize;
        var photos = Enumerable.Range(0, 2).Select(seed => new RgbImage(w, h, Enumerable.Range(0, w * h * 3).Select(i => (byte)((i * 37 + seed * 101) % 251)).ToArray())).ToArray();
        var expected = photos.Select(p => reference.Detect(p, float.MinValue).Detections.OrderByDescending(d => d.Score).ToList()).ToArray();
        Assert.That(expected.Select(e => e.Count), Has.All.InRange(1, 99), "the reference found none, or more than are served: the case would not test them all");

        var (_, meta) = await GetAsync(ModelUrl(name));
        Assert.That(Shapes(meta["outputs"]!), Is.EqualTo(new[]
        {
            ("detection_boxes", "FP32", "-1,100,4"), ("detection_classes", "FP32", "-1,100"), ("detection_scores", "FP32", "-1,100"), ("num_detections", "FP32", "-1,1"),
        }));
        // Two samples in one request (each through the host layers on its own), then one as a UINT8 image of the input's
        // size, normalised on the device.
        var tensors = photos.SelectMany(p => ImagePreprocessor.ToTensor(p, w, h)).ToArray();
        var (status, body) = await PostContentAsync(ModelUrl(name) + "/infer", KServeRequest.Binary(meta["inputs"]![0]!["name"]!.GetValue<string>(), "FP32", [2, 3, h, w], KServeRequest.Bytes(tensors)));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        for (int s = 0; s < 2; s++) CheckDetections(SampleOf(body, s), expected[s], 1e-4);

        var image = KServeRequest.Binary(meta["inputs"]![1]!["name"]!.GetValue<string>(), "UINT8", [1, h, w, 4], ViewerClient.ToRgba(photos[1]));
        (status, body) = await PostContentAsync(ModelUrl(name) + "/infer", image);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        CheckDetections(body, expected[1], 1e-3);
    }

    /// <summary>Sample <paramref name="sample"/> of a response's outputs, as a response of its own.</summary>
    private static JsonNode SampleOf(JsonNode body, int sample) => new JsonObject
    {
        ["outputs"] = new JsonArray(body["outputs"]!.AsArray().Select(o =>
        {
            var data = o!["data"]!.AsArray();
            int n = data.Count / 2;
            return (JsonNode)new JsonObject { ["name"] = (string?)o["name"], ["data"] = new JsonArray(data.Skip(sample * n).Take(n).Select(v => (JsonNode)(float)v!).ToArray()) };
        }).ToArray()),
    };

    /// <summary>A .param of the ncnn peer's list: shared/peers/ncnn beside the checkout (or GMN_NCNN_PEER_DIR).</summary>
    private static string PeerParam(string model)
    {
        var roots = new[] { Environment.GetEnvironmentVariable("GMN_NCNN_PEER_DIR") }.OfType<string>()
            .Concat(Ancestors(ViewerServer.RepoRoot).Select(d => Path.Combine(d, "shared", "peers", "ncnn")));
        var found = roots.Select(r => Path.Combine(r, "params", model + ".param")).FirstOrDefault(File.Exists);
        if (found is null) Assert.Fail($"{model}.param of the ncnn peer (shared/peers/ncnn/params) is missing above {ViewerServer.RepoRoot}");
        return found!;
    }

    private static IEnumerable<string> Ancestors(string dir)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent) yield return d.FullName;
    }
}
