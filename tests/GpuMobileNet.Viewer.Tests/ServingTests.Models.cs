using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Detection;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

// Models with a host stage: the SSD detector (decoded detections as named outputs, against the engine's SsdDetector)
// and a taught head on its backbone (against the CPU oracle's features and the head).
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
        var image = KServeRequest.Binary(meta["inputs"]![1]!["name"]!.GetValue<string>(), "UINT8", [1, photo.Height, photo.Width, 4], rgba);
        var r = await _http.PostAsync(ModelUrl(Detector) + "/infer", image);
        var imageBody = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), imageBody.ToJsonString());
        CheckDetections(imageBody, expected, 1e-3);
    }

    /// <summary>An ncnn classifier (text .param): 3x6x8 input, 3x3 convolution, global pooling, 5 outputs.</summary>
    private const string TinyNcnnParam = "7767517\n4 4\nInput in 0 1 data 0=8 1=6 2=3\nConvolution conv 1 1 data c 0=4 1=3 4=1 5=1 6=108 9=1\n" +
                                         "Pooling pool 1 1 c p 0=1 4=1\nInnerProduct fc 1 1 p out 0=5 1=1 2=20\n";

    [Test]
    public async Task AnNcnnModelInTheModelsFolderIsServed()
    {
        var graph = Import.ModelImporter.Load(Path.Combine(_dir, "ncnn", "tiny.param"));
        var input = Enumerable.Range(0, 2 * graph.Input.Shape.Elements).Select(i => (float)Math.Sin(i * 0.3)).ToArray();
        var (status, body) = await PostAsync(ModelUrl("user/ncnn/tiny.param") + "/infer", Request(graph.Input.Name, [2, 3, 6, 8], input));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["outputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 2, 5 }));
        Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(ReferenceExecutor.Run(graph, input, batch: 2)).Within(1e-4));
    }

    /// <summary>A softmax head of three classes with seeded weights on <paramref name="backbone"/>'s features, as the
    /// page saves one.</summary>
    private static TaughtHead SeededHead(string backbone, int features)
    {
        var random = new Random(5);
        float[] Row(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
        return new TaughtHead
        {
            Kind = TaughtHead.SoftmaxKind, Model = backbone, Classes = ["apple", "pear", "plum"], Features = features,
            Mean = Row(features, 0.1), InvStd = Enumerable.Repeat(2f, features).ToArray(), Weights = [Row(features, 1), Row(features, 1), Row(features, 1)], Bias = Row(3, 1),
        };
    }

    [Test]
    public async Task ATaughtHeadInTheModelsFolderIsServedOnItsBackbone()
    {
        var graph = _server.State.Catalog.Import(HeadBackbone).Graph;
        var features = GraphCut.Features(graph);
        var head = TaughtHead.Load(Path.Combine(_dir, "taught", "fruit.json"));
        var input = Enumerable.Range(0, 2 * graph.Input.Shape.Elements).Select(i => (float)Math.Cos(i * 0.007)).ToArray();
        var oracle = ReferenceExecutor.RunAll(graph, input, batch: 2)[features];
        int n = features.Shape.Elements;
        var expected = head.Predict(oracle.AsSpan(0, n)).Concat(head.Predict(oracle.AsSpan(n, n))).ToArray();

        var (_, meta) = await GetAsync(ModelUrl(Head));
        Assert.That(Shapes(meta["outputs"]!), Is.EqualTo(new[] { ("scores", "FP32", "-1,3") }));
        var request = Request(graph.Input.Name, [2, 3, 160, 160], input);
        var (status, body) = await PostAsync(ModelUrl(Head) + "/infer", request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(expected).Within(1e-4));

        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "scores", ["parameters"] = new JsonObject { ["classification"] = 1 } });
        (_, body) = await PostAsync(ModelUrl(Head) + "/infer", request);
        var best = Enumerable.Range(0, 2).Select(s => head.Classes[Array.IndexOf(expected, expected.Skip(3 * s).Take(3).Max(), 3 * s) - 3 * s]);
        Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => ((string)v!).Split(':')[2]), Is.EqualTo(best));
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
