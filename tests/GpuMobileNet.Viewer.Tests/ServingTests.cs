using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The inference API over the serving core, field by field as the protocol's examples and Triton's extensions
/// (classification, model repository, statistics) describe them: every output by name, batches, images, the repository's
/// load state, dynamic batching seen in the statistics, the queue bound, timeouts, and the metrics. One server of its own,
/// with a models folder holding a four-output ONNX model (MediaPipe's BlazeFace).</summary>
[NonParallelizable]
public partial class ServingTests
{
    private const string Face = "user/face/face.onnx";
    private const string Nsfwjs = "nsfwjs_mobilenet_v2";
    private const string Head = "user/taught/fruit.json";
    private const string HeadBackbone = "mobilenet_v1_0.5_160";
    private string _dir = "";
    private ViewerServer.Running _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _dir = Directory.CreateTempSubdirectory("gmn-serving-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "face"));
        File.Copy(FacePath, Path.Combine(_dir, "face", "face.onnx"));
        Directory.CreateDirectory(Path.Combine(_dir, "ncnn"));
        File.WriteAllText(Path.Combine(_dir, "ncnn", "tiny.param"), TinyNcnnParam); // no .bin: the importer's seeded weights
        Directory.CreateDirectory(Path.Combine(_dir, "taught"));
        SeededHead(HeadBackbone, 512).Save(Path.Combine(_dir, "taught", "fruit.json"));
        _server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, ModelsDir = _dir, ApiOnly = true, Validation = true,
            Serving = new Serving.ServingOptions { MaxBatchSize = 2 } }); // every load makes sessions of batch 1 and 2 only
        _http = new HttpClient { BaseAddress = _server.Url, Timeout = TimeSpan.FromSeconds(120) };
    }

    [OneTimeTearDown]
    public void Stop()
    {
        var messages = _server.ValidationMessages();
        _server.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, true);
        Assert.That(messages, Is.Empty, "Vulkan validation layer reported:\n" + string.Join("\n", messages));
    }

    private static string FacePath => Path.Combine(ViewerServer.RepoRoot, "models", "cache", "onnx", "blazeface", "face_detection_front_128x128_barracuda.onnx");

    private static string ModelUrl(string name) => "v2/models/" + Uri.EscapeDataString(name);

    [Test]
    public async Task MetadataDeclaresTheBatchDimensionEveryOutputAndTheImageInput()
    {
        var graph = Import.ModelImporter.Load(FacePath);
        var (status, m) = await GetAsync(ModelUrl(Face));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), m.ToJsonString());
        var s = graph.Input.Shape; // NHWC as the file has it: 128 x 128 x 3, so no RGBA image input is offered
        Assert.That(Shapes(m["inputs"]!), Is.EqualTo(new[] { (graph.Input.Name, "FP32", $"-1,{s.C},{s.H},{s.W}") }));
        Assert.That(Shapes(m["outputs"]!), Is.EqualTo(graph.Outputs.Select(o => (o.Name, "FP32", $"-1,{o.Shape.C},{o.Shape.H},{o.Shape.W}"))));
        Assert.That((int)m["parameters"]!["max_batch_size"]!, Is.EqualTo(2));
        const string untouched = "mobilenet_v2_0.35_96"; // no other test here loads it
        Assert.That((await GetAsync(ModelUrl(untouched))).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_server.State.Repository.StateOf(untouched), Is.EqualTo(Serving.ModelState.Unavailable), "metadata does not load the model on the device");
    }

    [Test]
    public async Task EveryOutputComesBackByNameForABatchAndTheOutputsFieldPicksThem()
    {
        var graph = Import.ModelImporter.Load(FacePath);
        var input = Enumerable.Range(0, 2 * graph.Input.Shape.Elements).Select(i => (float)Math.Sin(i * 0.013)).ToArray();
        var expected = ReferenceExecutor.RunAll(graph, input, batch: 2);
        var s = graph.Input.Shape;
        var request = Request(graph.Input.Name, [2, s.C, s.H, s.W], input);
        var (status, body) = await PostAsync(ModelUrl(Face) + "/infer", request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        var outputs = body["outputs"]!.AsArray();
        Assert.That(outputs.Select(o => (string?)o!["name"]), Is.EqualTo(graph.Outputs.Select(o => o.Name)));
        foreach (var (o, value) in outputs.Zip(graph.Outputs))
        {
            Assert.That(o!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 2, value.Shape.C, value.Shape.H, value.Shape.W }));
            Assert.That(o["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(expected[value]).Within(2e-3), value.Name);
        }

        request["outputs"] = new JsonArray(new JsonObject { ["name"] = graph.Outputs[2].Name });
        (status, body) = await PostAsync(ModelUrl(Face) + "/infer", request);
        Assert.That(body["outputs"]!.AsArray().Select(o => (string?)o!["name"]), Is.EqualTo(new[] { graph.Outputs[2].Name }));
        Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(expected[graph.Outputs[2]]).Within(2e-3));
    }

    [Test]
    public async Task ABatchOfUint8ImagesGivesEachImageItsOwnScores()
    {
        var photo = ImageLoader.Load(ViewerServer.Photo("chelsea.png"));
        var flipped = new RgbImage(photo.Width, photo.Height, Enumerable.Range(0, photo.Height).Reverse()
            .SelectMany(y => photo.Pixels.Skip(y * photo.Width * 3).Take(photo.Width * 3)).ToArray());
        byte[] rgba = [.. ViewerClient.ToRgba(photo), .. ViewerClient.ToRgba(flipped)];
        var r = await _http.PostAsync(ModelUrl(Nsfwjs) + "/infer", KServeRequest.Binary("input_1_rgba8", "UINT8", [2, photo.Height, photo.Width, 4], rgba));
        var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["outputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 2, 5 }));
        var data = body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!).ToArray();
        Assert.That(data[..5], Is.EqualTo(CliReference.Nsfwjs(photo)).Within(1e-4));
        Assert.That(data[5..], Is.EqualTo(CliReference.Nsfwjs(flipped)).Within(1e-4));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task TheClassificationExtensionAnswersTopKAsValueIndexLabelStrings(bool binary)
    {
        var input = ImagePreprocessor.ToTensor(ImageLoader.Load(ViewerServer.Photo("coffee.png")), 224, 224);
        var expected = CliReference.Nsfwjs(input);
        var request = Request("input_1", [1, 3, 224, 224], input);
        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "dense_3", ["parameters"] = new JsonObject { ["classification"] = 3, ["binary_data"] = binary } });
        var r = await _http.PostAsync(ModelUrl(Nsfwjs) + "/infer", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var bytes = await r.Content.ReadAsByteArrayAsync();
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        int headerLength = binary ? int.Parse(r.Headers.GetValues("Inference-Header-Content-Length").Single()) : bytes.Length;
        var output = JsonNode.Parse(bytes.AsSpan(0, headerLength))!["outputs"]![0]!;
        Assert.That((string?)output["datatype"], Is.EqualTo("BYTES"));
        Assert.That(output["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 1, 3 }));
        var strings = binary ? LengthPrefixed(bytes.AsSpan(headerLength)) : output["data"]!.AsArray().Select(v => (string)v!).ToArray();
        if (binary) Assert.That((long)output["parameters"]!["binary_data_size"]!, Is.EqualTo(bytes.Length - headerLength));
        var top = Enumerable.Range(0, 5).OrderByDescending(i => expected[i]).Take(3).ToArray();
        Assert.That(strings.Select(s => int.Parse(s.Split(':')[1])), Is.EqualTo(top));
        Assert.That(strings.Select(s => s.Split(':')[2]), Is.EqualTo(top.Select(i => CliReference.Labels[i])));
        Assert.That(strings.Select(s => float.Parse(s.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(top.Select(i => expected[i])).Within(1e-4));
    }

    [Test]
    public async Task TheRepositoryLoadsAndUnloadsAndReadinessFollows()
    {
        async Task<string?> StateInIndex() => (string?)(await PostAsync("v2/repository/index", new JsonObject()))
            .Body.AsArray().Single(e => (string?)e!["name"] == "mobilenet_v1_0.5_160")!["state"];
        string ready = ModelUrl("mobilenet_v1_0.5_160") + "/ready";
        Assert.That(await StateInIndex(), Is.EqualTo("UNAVAILABLE"));
        Assert.That((await _http.GetAsync(ready)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var load = await _http.PostAsync("v2/repository/models/mobilenet_v1_0.5_160/load", null);
        Assert.That(load.StatusCode, Is.EqualTo(HttpStatusCode.OK), await load.Content.ReadAsStringAsync());
        Assert.That(await StateInIndex(), Is.EqualTo("READY"));
        var (status, body) = await GetAsync(ready);
        Assert.That((status, (bool?)body["ready"]), Is.EqualTo((HttpStatusCode.OK, (bool?)true)));
        var readyOnly = (await PostAsync("v2/repository/index", new JsonObject { ["ready"] = true })).Body.AsArray();
        Assert.That(readyOnly.Select(e => (string?)e!["name"]), Does.Contain("mobilenet_v1_0.5_160").And.Not.Contain("mobilenet_v2_0.35_96"));

        Assert.That((await _http.PostAsync("v2/repository/models/mobilenet_v1_0.5_160/unload", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StateInIndex(), Is.EqualTo("UNAVAILABLE"));
        (status, body) = await GetAsync(ready);
        Assert.That((status, (bool?)body["ready"]), Is.EqualTo((HttpStatusCode.BadRequest, (bool?)false)));
    }

    [TestCase("v2/repository/models/nope/load", "{}", HttpStatusCode.NotFound, "unknown model 'nope'")]
    [TestCase("v2/repository/models/mobilenet_v1_0.25_128/load", "{\"parameters\":{\"config\":\"{\\\"max_batch_size\\\": 0}\"}}", HttpStatusCode.BadRequest, "max_batch_size 0: expected 1..256")]
    [TestCase("v2/repository/models/mobilenet_v1_0.25_128/load", "{\"parameters\":{\"config\":\"{oops\"}}", HttpStatusCode.BadRequest, "model config is not valid JSON")]
    [TestCase("v2/models/mobilenet_v1_0.25_128/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,3,128,128],\"datatype\":\"FP32\",\"data\":[1]}]}", HttpStatusCode.BadRequest, "batch 3 (the first dimension) is outside 1..2")]
    [TestCase("v2/models/mobilenet_v1_0.25_128/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,128,128],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":[{\"name\":\"nope\"}]}", HttpStatusCode.BadRequest, "has no output 'nope'")]
    [TestCase("v2/models/nsfwjs_mobilenet_v2/infer", "{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":[{\"name\":\"dense_3\",\"parameters\":{\"classification\":6}}]}", HttpStatusCode.BadRequest, "classification 6 is outside 1..5")]
    [TestCase("v2/models/nsfwjs_mobilenet_v2/versions/2/infer", "{}", HttpStatusCode.NotFound, "no version '2'")]
    public async Task BadRequestsAnswerTheProtocolsErrorWithTheirStatus(string path, string json, HttpStatusCode expected, string message)
    {
        if (path.EndsWith("/infer", StringComparison.Ordinal) && !path.Contains("versions")) json = json.Replace("\"input\"", $"\"{InputOf(path)}\"");
        var r = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        Assert.That((string?)body["error"], Does.Contain(message));
    }

    private string InputOf(string inferPath) =>
        _server.State.Catalog.Import(Uri.UnescapeDataString(inferPath.Split('/')[2])).Graph.Input.Name;

    private static JsonObject Request(string input, long[] shape, float[] data) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["name"] = input, ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()), ["datatype"] = "FP32",
            ["data"] = new JsonArray(data.Select(v => (JsonNode)v).ToArray()),
        }),
    };

    private static IEnumerable<(string?, string?, string)> Shapes(JsonNode tensors) =>
        tensors.AsArray().Select(t => ((string?)t!["name"], (string?)t["datatype"], string.Join(",", t["shape"]!.AsArray().Select(v => (long)v!))));

    /// <summary>The binary form of BYTES elements: each a 4-byte little-endian length and that many bytes.</summary>
    private static string[] LengthPrefixed(ReadOnlySpan<byte> raw)
    {
        var list = new List<string>();
        while (raw.Length > 0)
        {
            int n = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(raw);
            list.Add(Encoding.UTF8.GetString(raw.Slice(4, n)));
            raw = raw[(4 + n)..];
        }
        return [.. list];
    }

    internal async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path)
    {
        var r = await _http.GetAsync(path);
        return (r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    internal Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, JsonObject json) =>
        PostContentAsync(path, new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json"));

    internal async Task<(HttpStatusCode Status, JsonNode Body)> PostContentAsync(string path, HttpContent content)
    {
        var r = await _http.PostAsync(path, content);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }
}
