using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The KServe v2 gRPC API (--grpc-urls), called by @grpc/grpc-js from the protocol's .proto (a client we did not
/// write): metadata, inference with raw and typed contents equal to REST's answers and the CLI's, errors as gRPC statuses,
/// and hostile calls (malformed, over-size, cancelled mid-run) after which the server still answers. Its own server: gRPC
/// on a free port, a 1 MiB message limit, the validation layer on.</summary>
[NonParallelizable]
public class GrpcTests
{
    private const string Model = "nsfwjs_mobilenet_v2";
    private const int MessageLimit = 1024 * 1024;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(120) };
    private ViewerServer.Running _server = null!;
    private Uri _grpc = null!;
    private string _models = null!;

    [OneTimeSetUp]
    public void Start()
    {
        // A models folder with one file that reads as a TF.js model but cannot load.
        _models = Directory.CreateTempSubdirectory("gmn-grpc-models").FullName;
        File.WriteAllText(Path.Combine(_models, "broken.json"), "{\"modelTopology\": {}}");
        _server = ViewerServer.Start(new ViewerOptions
        {
            RepoRoot = ViewerServer.RepoRoot, ModelsDir = _models, Validation = true, ApiOnly = true,
            GrpcUrls = "http://127.0.0.1:0", MaxUploadBytes = MessageLimit,
        });
        _grpc = new Uri(ViewerApp.GrpcAddresses(_server.App).Single());
    }

    [OneTimeTearDown]
    public void Stop()
    {
        var messages = _server.ValidationMessages();
        _server.Dispose();
        Directory.Delete(_models, recursive: true);
        Assert.That(messages, Is.Empty, "Vulkan validation layer reported:\n" + string.Join("\n", messages));
    }

    [Test]
    public void HealthAndMetadata()
    {
        Assert.That((bool?)Ok("ServerLive", [])["live"], Is.True);
        Assert.That((bool?)Ok("ServerReady", [])["ready"], Is.True);
        Assert.That((string?)Ok("ServerMetadata", [])["name"], Is.EqualTo("gpumobilenet"));
        var m = Ok("ModelMetadata", new JsonObject { ["name"] = Model });
        Assert.That((string?)m["name"], Is.EqualTo(Model));
        Assert.That(m["versions"]!.AsArray().Select(v => (string?)v), Is.EqualTo(new[] { "1" }));
        Assert.That((string?)m["inputs"]![0]!["name"], Is.EqualTo("input_1"));
        Assert.That((string?)m["inputs"]![0]!["datatype"], Is.EqualTo("FP32"));
        Assert.That(m["inputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, 3, 224, 224 }));
        Assert.That((string?)m["outputs"]![0]!["name"], Is.EqualTo("dense_3"));
        Assert.That(m["outputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { -1, 5 }));
        Assert.That(Scores(Call("ModelInfer", SmallImage())), Has.Length.EqualTo(5));
        Assert.That((bool?)Ok("ModelReady", new JsonObject { ["name"] = Model })["ready"], Is.True, "inference loaded the model");
        Assert.That((bool?)Ok("ModelReady", new JsonObject { ["name"] = "mobilenet_v1_0.25_128" })["ready"] ?? false, Is.False, "never loaded");
    }

    [Test]
    public async Task RawFp32InferenceEqualsRestAndTheCli()
    {
        var input = ImagePreprocessor.ToTensor(ImageLoader.Load(ViewerServer.Photo("coffee.png")), 224, 224);
        var request = Infer("FP32", [1, 3, 224, 224]);
        request["id"] = "7";
        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "dense_3" });
        request["raw_input_contents"] = new JsonArray(Convert.ToBase64String(Bytes(input)));
        var r = Ok("ModelInfer", request);
        Assert.That((string?)r["id"], Is.EqualTo("7"));
        Assert.That((string?)r["model_name"], Is.EqualTo(Model));
        Assert.That((string?)r["outputs"]![0]!["name"], Is.EqualTo("dense_3"));
        Assert.That(r["outputs"]![0]!["shape"]!.AsArray().Select(v => (long)v!), Is.EqualTo(new long[] { 1, 5 }));
        Assert.That(r["outputs"]![0]!["contents"], Is.Null, "raw in, raw out");
        var scores = Floats(Convert.FromBase64String((string)r["raw_output_contents"]![0]!));

        var rest = await RestAsync(BinaryHeader("FP32", [1, 3, 224, 224], input.Length * 4), Bytes(input));
        Assert.That(scores, Is.EqualTo(rest).Within(1e-6), "gRPC and REST run the same session");
        Assert.That(scores, Is.EqualTo(CliReference.Nsfwjs(input)).Within(1e-4));
    }

    [Test]
    public async Task TypedUint8ImageInferenceEqualsRest()
    {
        var photo = ImageLoader.Load(ViewerServer.Photo("chelsea.png"));
        var rgba = ViewerClient.ToRgba(photo);
        var request = Infer("UINT8", [1, photo.Height, photo.Width, 4]);
        request["inputs"]![0]!["contents"] = new JsonObject { ["uint_contents"] = new JsonArray(rgba.Select(b => (JsonNode)(int)b).ToArray()) };
        var r = Ok("ModelInfer", request);
        var scores = r["outputs"]![0]!["contents"]!["fp32_contents"]!.AsArray().Select(v => (float)v!).ToArray();

        var rest = await RestAsync(BinaryHeader("UINT8", [1, photo.Height, photo.Width, 4], rgba.Length), rgba);
        Assert.That(scores, Is.EqualTo(rest).Within(1e-6));
        Assert.That(scores, Is.EqualTo(CliReference.Nsfwjs(photo)).Within(1e-4));
    }

    [TestCase("nope", "", "input_1", "FP32", new long[] { 1, 3, 224, 224 }, 602112, "NOT_FOUND", "unknown model 'nope'")]
    [TestCase(Model, "2", "input_1", "FP32", new long[] { 1, 3, 224, 224 }, 602112, "NOT_FOUND", "no version '2'")]
    [TestCase(Model, "", "x", "FP32", new long[] { 1, 3, 224, 224 }, 602112, "INVALID_ARGUMENT", "has inputs 'input_1'")]
    [TestCase(Model, "", "input_1", "INT8", new long[] { 1, 3, 224, 224 }, 150528, "INVALID_ARGUMENT", "datatype 'INT8' is not supported")]
    [TestCase(Model, "", "input_1", "FP32", new long[] { 1, 3, 96, 96 }, 110592, "INVALID_ARGUMENT", "shape [1, 3, 96, 96] but the model takes [-1, 3, 224, 224]")]
    [TestCase(Model, "", "input_1", "FP32", new long[] { 1, 3, 224, 224 }, 602108, "INVALID_ARGUMENT", "raw_input_contents has 602108 bytes but [1, 3, 224, 224] FP32 is 602112")]
    [TestCase(Model, "", "input_1", "UINT8", new long[] { 1, 8, 8, 4 }, 255, "INVALID_ARGUMENT", "raw_input_contents has 255 bytes but [1, 8, 8, 4] UINT8 is 256")]
    [TestCase(Model, "", "input_1", "UINT8", new long[] { 1, 8, 8, 3 }, 192, "INVALID_ARGUMENT", "[n, height, width, 4]")]
    public void BadRequestsGetTheProtocolsStatus(string model, string version, string input, string datatype, long[] shape, int rawBytes, string code, string details)
    {
        var request = Infer(datatype, shape);
        request["model_name"] = model;
        request["model_version"] = version;
        request["inputs"]![0]!["name"] = input;
        request["raw_input_contents"] = new JsonArray(Convert.ToBase64String(new byte[rawBytes]));
        AssertStatus(Call("ModelInfer", request), code, details);
    }

    [Test]
    public void TypedContentsThatDisagreeWithTheShapeOrTheOutputsAreInvalid()
    {
        var tooFew = Infer("FP32", [1, 3, 224, 224]);
        tooFew["inputs"]![0]!["contents"] = new JsonObject { ["fp32_contents"] = new JsonArray(1, 2, 3) };
        AssertStatus(Call("ModelInfer", tooFew), "INVALID_ARGUMENT", "fp32_contents has 3 values but [1, 3, 224, 224] needs 150528");
        var notBytes = Infer("UINT8", [1, 1, 1, 4]);
        notBytes["inputs"]![0]!["contents"] = new JsonObject { ["uint_contents"] = new JsonArray(1, 2, 3, 256) };
        AssertStatus(Call("ModelInfer", notBytes), "INVALID_ARGUMENT", "must be 0..255");
        var noData = Infer("UINT8", [1, 1, 1, 4]);
        AssertStatus(Call("ModelInfer", noData), "INVALID_ARGUMENT", "no contents and no raw_input_contents");
        var wrongOutput = Infer("UINT8", [1, 1, 1, 4]);
        wrongOutput["inputs"]![0]!["contents"] = new JsonObject { ["uint_contents"] = new JsonArray(1, 2, 3, 4) };
        wrongOutput["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits" });
        AssertStatus(Call("ModelInfer", wrongOutput), "INVALID_ARGUMENT", "has no output 'logits'");
        AssertStatus(Call("ModelMetadata", new JsonObject { ["name"] = "nope" }), "NOT_FOUND", "unknown model 'nope'");
    }

    [Test]
    public void AModelThatCannotLoadIsUnavailable()
    {
        AssertStatus(Call("ModelMetadata", new JsonObject { ["name"] = "user/broken.json" }), "INVALID_ARGUMENT", "model 'user/broken.json' cannot be read");
        var request = SmallImage();
        request["model_name"] = "user/broken.json";
        AssertStatus(Call("ModelInfer", request), "INVALID_ARGUMENT", "cannot be read");
        AssertStatus(Call("RepositoryModelLoad", new JsonObject { ["model_name"] = "user/broken.json" }), "INVALID_ARGUMENT", "cannot be read");
        Assert.That(Scores(Call("ModelInfer", SmallImage())), Has.Length.EqualTo(5), "the server still answers");
    }

    [Test]
    public void OverSizeAndMalformedMessagesAreRefusedAndTheServerGoesOn()
    {
        var big = Infer("UINT8", [1, 512, 512, 4]); // 1 MiB of pixels: over the limit with the message's own bytes
        big["raw_input_contents"] = new JsonArray(Convert.ToBase64String(new byte[512 * 512 * 4]));
        AssertStatus(Call("ModelInfer", big), "RESOURCE_EXHAUSTED", "");
        var malformed = NodeGrpcClient.Malformed(_grpc);
        AssertStatus(malformed, "INTERNAL", "the request is not a ModelInferRequest protobuf message");
        Assert.That(Scores(Call("ModelInfer", SmallImage())), Has.Length.EqualTo(5), "the server still answers");
    }

    [Test]
    public void ClassificationParameterAnswersTopKStringsTyped()
    {
        var plain = Scores(Call("ModelInfer", SmallImage()));
        var request = SmallImage();
        var pixels = Convert.FromBase64String((string)request["raw_input_contents"]![0]!);
        request.Remove("raw_input_contents");
        request["inputs"]![0]!["contents"] = new JsonObject { ["uint_contents"] = new JsonArray(pixels.Select(b => (JsonNode)(int)b).ToArray()) };
        request["outputs"] = new JsonArray(new JsonObject
            { ["name"] = "dense_3", ["parameters"] = new JsonObject { ["classification"] = new JsonObject { ["int64_param"] = 2 } } });
        var output = Ok("ModelInfer", request)["outputs"]![0]!;
        Assert.That(((string?)output["datatype"], output["shape"]!.AsArray().Select(v => (long)v!)), Is.EqualTo(("BYTES", new long[] { 1, 2 })));
        var top = output["contents"]!["bytes_contents"]!.AsArray().Select(v => Encoding.UTF8.GetString(Convert.FromBase64String((string)v!))).ToArray();
        Assert.That(top.Select(s => int.Parse(s.Split(':')[1])), Is.EqualTo(Enumerable.Range(0, 5).OrderByDescending(i => plain[i]).Take(2)));
        var bad = SmallImage();
        bad["outputs"] = new JsonArray(new JsonObject
            { ["name"] = "dense_3", ["parameters"] = new JsonObject { ["classification"] = new JsonObject { ["bool_param"] = true } } });
        AssertStatus(Call("ModelInfer", bad), "INVALID_ARGUMENT", "the classification parameter must be an integer");
    }

    [Test]
    public void RepositoryLoadAndUnloadFollowTheModelsState()
    {
        const string other = "mobilenet_v1_0.25_128";
        Ok("RepositoryModelLoad", new JsonObject { ["model_name"] = other });
        Assert.That((bool?)Ok("ModelReady", new JsonObject { ["name"] = other })["ready"], Is.True, "loaded");
        Ok("RepositoryModelUnload", new JsonObject { ["model_name"] = other });
        Assert.That((bool?)Ok("ModelReady", new JsonObject { ["name"] = other })["ready"] ?? false, Is.False, "unloaded");
        AssertStatus(Call("RepositoryModelLoad", new JsonObject { ["model_name"] = "nope" }), "NOT_FOUND", "unknown model 'nope'");
        AssertStatus(Call("RepositoryModelUnload", new JsonObject { ["repository_name"] = "elsewhere", ["model_name"] = other }), "NOT_FOUND", "unknown repository 'elsewhere'");
    }

    [Test]
    public async Task CallsCancelledMidRunAreCancelledAndTheOthersAnswered()
    {
        // Twelve calls at once on one model, queued behind a run this test holds for 3 s (the repository's run gate; node starts
        // well within it): every third is cancelled 50 ms in, while it waits its turn; the others all answer alike.
        Assert.That(Scores(Call("ModelInfer", SmallImage())), Has.Length.EqualTo(5), "loaded before the hold");
        var gate = _server.State.Repository.RunGate;
        await gate.WaitAsync();
        var call = Task.Run(() => Call("ModelInfer", SmallImage(), copies: 12, cancelEvery: 3, cancelAfterMs: 50).AsArray());
        await Task.Delay(3000);
        gate.Release();
        var results = await call;
        var answered = results.Where(r => (string?)r!["code"] == "OK").Select(r => Scores(r!)).ToList();
        Assert.That(results.Where((_, i) => i % 3 != 0).Select(r => (string?)r!["code"]), Is.All.EqualTo("OK"));
        Assert.That(results.Where((_, i) => i % 3 == 0).Select(r => (string?)r!["code"]), Is.All.EqualTo("CANCELLED"));
        Assert.That(answered.Skip(1), Is.All.EqualTo(answered[0]).Within(1e-6));
        Assert.That(Scores(Call("ModelInfer", SmallImage())), Is.EqualTo(answered[0]).Within(1e-6), "the server still answers");
    }

    private JsonNode Call(string method, JsonObject request, int copies = 1, int cancelEvery = 0, int cancelAfterMs = 0) =>
        NodeGrpcClient.Call(_grpc, method, request, copies, cancelEvery, cancelAfterMs);

    private JsonNode Ok(string method, JsonObject request)
    {
        var r = Call(method, request);
        Assert.That((string?)r["code"], Is.EqualTo("OK"), r.ToJsonString());
        return r["response"]!;
    }

    private static void AssertStatus(JsonNode result, string code, string details)
    {
        Assert.That((string?)result["code"], Is.EqualTo(code), result.ToJsonString());
        Assert.That((string?)result["details"], Does.Contain(details));
    }

    private static JsonObject Infer(string datatype, long[] shape) => new()
    {
        ["model_name"] = Model,
        ["inputs"] = new JsonArray(new JsonObject
            { ["name"] = "input_1", ["datatype"] = datatype, ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()) }),
    };

    /// <summary>A 16x12 RGBA image of a gradient, raw.</summary>
    internal static JsonObject SmallImage()
    {
        var request = Infer("UINT8", [1, 12, 16, 4]);
        request["raw_input_contents"] = new JsonArray(Convert.ToBase64String(Enumerable.Range(0, 12 * 16 * 4).Select(i => (byte)(i * 7)).ToArray()));
        return request;
    }

    private static float[] Scores(JsonNode result)
    {
        Assert.That((string?)result["code"], Is.EqualTo("OK"), result.ToJsonString());
        return Floats(Convert.FromBase64String((string)result["response"]!["raw_output_contents"]![0]!));
    }

    /// <summary>A REST request's JSON header for one input sent in the binary tensor data extension.</summary>
    private static JsonObject BinaryHeader(string datatype, long[] shape, int bytes) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["name"] = "input_1", ["datatype"] = datatype, ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
            ["parameters"] = new JsonObject { ["binary_data_size"] = bytes },
        }),
    };

    private async Task<float[]> RestAsync(JsonObject header, byte[] binary)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var content = new ByteArrayContent([.. json, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        var r = await Http.PostAsync(new Uri(_server.Url, $"v2/models/{Model}/infer"), content);
        var body = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.That((int)r.StatusCode, Is.EqualTo(200), body.ToJsonString());
        return body["outputs"]![0]!["data"]!.AsArray().Select(v => (float)v!).ToArray();
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
