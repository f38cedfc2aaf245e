using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The Open Inference Protocol (KServe v2 REST) endpoints, with requests shaped as the protocol's own examples
/// (kserve/open-inference-protocol, docs/rest_predict_v2.yaml and the binary tensor data extension).</summary>
public class KServeTests
{
    private const string Model = "nsfwjs_mobilenet_v2";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private static Uri Url(string path) => new(ViewerServer.Instance.Url, path);

    [TestCase("v2/health/live")]
    [TestCase("v2/health/ready")]
    [TestCase("v2/models/" + Model + "/ready")]
    [TestCase("v2/models/" + Model + "/versions/1/ready")]
    public async Task HealthAndReadinessAre200(string path)
    {
        await ViewerServer.Instance.State.Repository.LoadAsync(Model); // loaded = ready
        var r = await Http.GetAsync(Url(path));
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), await r.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ServerMetadata()
    {
        var m = await GetJsonAsync("v2", HttpStatusCode.OK);
        Assert.That((string?)m["name"], Is.Not.Empty);
        Assert.That((string?)m["version"], Is.Not.Empty);
        Assert.That(m["extensions"]!.AsArray().Select(e => (string?)e), Is.SupersetOf(new[] { "binary_tensor_data", "classification", "model_repository", "statistics" }));
    }

    [TestCase("v2/models/" + Model)]
    [TestCase("v2/models/" + Model + "/versions/1")]
    public async Task ModelMetadata(string path)
    {
        var m = await GetJsonAsync(path, HttpStatusCode.OK);
        Assert.That((string?)m["name"], Is.EqualTo(Model));
        Assert.That(m["versions"]!.AsArray().Select(v => (string?)v), Is.EqualTo(new[] { "1" }));
        Assert.That((string?)m["platform"], Is.Not.Empty);
        var input = m["inputs"]![0]!;
        Assert.That((string?)input["name"], Is.EqualTo("input_1"));
        Assert.That((string?)input["datatype"], Is.EqualTo("FP32"));
        Assert.That(input["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, 3, 224, 224 }));
        var image = m["inputs"]![1]!; // the UINT8 RGBA image offered in its place, of any size, preprocessed on the device
        Assert.That(((string?)image["name"], (string?)image["datatype"]), Is.EqualTo(("input_1_rgba8", "UINT8")));
        Assert.That(image["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, -1, -1, 4 }));
        var output = m["outputs"]![0]!;
        Assert.That((string?)output["name"], Is.EqualTo("dense_3"));
        Assert.That(output["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, 5 }));
    }

    [TestCase("v2/models/nope", "unknown model 'nope'")]
    [TestCase("v2/models/" + Model + "/versions/2", "no version '2'")]
    [TestCase("v2/models/nope/ready", "unknown model 'nope'")]
    public async Task UnknownModelsAndVersionsAre404WithAnError(string path, string expected)
    {
        var m = await GetJsonAsync(path, HttpStatusCode.NotFound);
        Assert.That((string?)m["error"], Does.Contain(expected));
    }

    [Test]
    public async Task InferWithJsonTensorData()
    {
        var (input, expected) = Example();
        // As the protocol's example: an id, the inputs with name, shape, datatype and data, the outputs wanted by name.
        var request = new JsonObject
        {
            ["id"] = "42",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input_1", ["shape"] = new JsonArray(1, 3, 224, 224), ["datatype"] = "FP32",
                ["data"] = new JsonArray(input.Select(v => (JsonNode)v).ToArray()),
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "dense_3" }),
        };
        var r = await Http.PostAsync(Url($"v2/models/{Model}/infer"), new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That((string?)body["id"], Is.EqualTo("42"));
        Assert.That((string?)body["model_name"], Is.EqualTo(Model));
        var output = body["outputs"]![0]!;
        Assert.That((string?)output["name"], Is.EqualTo("dense_3"));
        Assert.That((string?)output["datatype"], Is.EqualTo("FP32"));
        Assert.That(output["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 1, 5 }));
        Assert.That(output["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(expected).Within(1e-4));
    }

    [Test]
    public async Task InferWithBinaryTensorData()
    {
        var (input, expected) = Example();
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input_1", ["shape"] = new JsonArray(1, 3, 224, 224), ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = input.Length * 4 },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "dense_3", ["parameters"] = new JsonObject { ["binary_data"] = true } }),
        };
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var raw = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, raw, 0, raw.Length);
        var content = new ByteArrayContent([.. json, .. raw]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        var r = await Http.PostAsync(Url($"v2/models/{Model}/infer"), content);
        var bytes = await r.Content.ReadAsByteArrayAsync();
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        int headerLength = int.Parse(r.Headers.GetValues("Inference-Header-Content-Length").Single());
        var body = (JsonObject)JsonNode.Parse(bytes.AsSpan(0, headerLength))!;
        var output = body["outputs"]![0]!;
        Assert.That(output["data"], Is.Null, "binary outputs carry no JSON data");
        Assert.That((long)output["parameters"]!["binary_data_size"]!, Is.EqualTo(20));
        var values = new float[5];
        Buffer.BlockCopy(bytes, headerLength, values, 0, 20);
        Assert.That(bytes.Length - headerLength, Is.EqualTo(20));
        Assert.That(values, Is.EqualTo(expected).Within(1e-4));
    }

    [Test]
    public async Task InferWithABinaryUint8ImageOfAnySize()
    {
        var photo = ImageLoader.Load(ViewerServer.Photo("chelsea.png"));
        var rgba = ViewerClient.ToRgba(photo);
        var r = await Http.PostAsync(Url($"v2/models/{Model}/infer"), KServeRequest.Binary("input_1", "UINT8", [1, photo.Height, photo.Width, 4], rgba));
        var body = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!), Is.EqualTo(CliReference.Nsfwjs(photo)).Within(1e-4));
    }

    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,5,5,3],\"datatype\":\"UINT8\",\"data\":[1]}]}", "[n, height, width, 4]")]
    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,1,1,4],\"datatype\":\"UINT8\",\"data\":[1,2,3,256]}]}", "integers 0..255")]
    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,4,4],\"datatype\":\"FP32\",\"data\":[1]}]}", "shape [1, 3, 4, 4] but the model takes [-1, 3, 224, 224]")]
    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,224,224],\"datatype\":\"INT8\",\"data\":[1]}]}", "datatype 'INT8' is not supported")]
    [TestCase("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"data\":[1]}]}", "model 'nsfwjs_mobilenet_v2' has inputs 'input_1', 'input_1_rgba8'")]
    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", "3 values but shape")]
    [TestCase("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}", "non-number")]
    [TestCase("{\"inputs\": [", "not valid JSON")]
    [TestCase("{}", "no \"inputs\"")]
    public async Task BadInferRequestsAre400WithAnError(string request, string expected)
    {
        var r = await Http.PostAsync(Url($"v2/models/{Model}/infer"), new StringContent(request, Encoding.UTF8, "application/json"));
        var body = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToJsonString());
        Assert.That((string?)body["error"], Does.Contain(expected));
    }

    [Test]
    public async Task ABinarySizeThatDisagreesWithTheBodyIs400()
    {
        var json = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"input_1\",\"shape\":[1,3,224,224],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":602112}}]}");
        var content = new ByteArrayContent([.. json, .. new byte[100]]);
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        var r = await Http.PostAsync(Url($"v2/models/{Model}/infer"), content);
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await r.Content.ReadAsStringAsync(), Does.Contain("100 bytes after the JSON header"));
    }

    private static (float[] Input, float[] Expected) Example()
    {
        var input = ImagePreprocessor.ToTensor(ImageLoader.Load(ViewerServer.Photo("coffee.png")), 224, 224);
        return (input, CliReference.Nsfwjs(input));
    }

    private static async Task<JsonObject> GetJsonAsync(string path, HttpStatusCode status)
    {
        var r = await Http.GetAsync(Url(path));
        var text = await r.Content.ReadAsStringAsync();
        Assert.That(r.StatusCode, Is.EqualTo(status), text);
        return (JsonObject)JsonNode.Parse(text)!;
    }
}
