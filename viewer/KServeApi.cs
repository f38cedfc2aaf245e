using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMobileNet.Graph;

namespace GpuMobileNet.Viewer;

/// <summary>The Open Inference Protocol (KServe v2) REST API over every model of the catalog: health, server and model
/// metadata, model readiness, and infer with JSON tensor data or the binary tensor data extension
/// (Inference-Header-Content-Length). Each model has one version, "1"; its input is FP32 [1, 3, H, W] (NCHW,
/// preprocessed as the CLI does: pixel / 255, stretched), its output FP32 [1, classes] probabilities. The input may
/// also be a UINT8 RGBA image [1, height, width, 4] of any size, preprocessed on the device.
/// Errors are {"error": "..."} with a 4xx status.</summary>
internal static class KServeApi
{
    public const string HeaderLength = "Inference-Header-Content-Length";
    public const string Version = "1";
    public const string ServerName = "gpumobilenet";
    public const string Platform = "gpumobilenet_vulkan";
    public static readonly string ServerVersion = typeof(KServeApi).Assembly.GetName().Version?.ToString() ?? "0";

    public static void Map(WebApplication app, ViewerState state)
    {
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }));
        app.MapGet("/v2/health/ready", () => Results.Json(new { ready = true }));
        app.MapGet("/v2", () => Results.Json(new
        {
            name = ServerName, version = ServerVersion,
            extensions = new[] { "binary_tensor_data" },
        }));
        app.MapGet("/v2/models/{name}", (string name) => Metadata(state, Unescaped(name), null));
        app.MapGet("/v2/models/{name}/versions/{version}", (string name, string version) => Metadata(state, Unescaped(name), version));
        app.MapGet("/v2/models/{name}/ready", (string name) => Ready(state, Unescaped(name), null));
        app.MapGet("/v2/models/{name}/versions/{version}/ready", (string name, string version) => Ready(state, Unescaped(name), version));
        app.MapPost("/v2/models/{name}/infer", (string name, HttpRequest request) => InferAsync(state, Unescaped(name), null, request));
        app.MapPost("/v2/models/{name}/versions/{version}/infer", (string name, string version, HttpRequest request) => InferAsync(state, Unescaped(name), version, request));
    }

    /// <summary>A model name from the URL: the models folder's names have slashes ("user/mine/model.onnx"), which a
    /// client escapes (%2F) to keep them one path segment; the server leaves %2F escaped in route values.</summary>
    private static string Unescaped(string name) => Uri.UnescapeDataString(name);

    private static IResult Error(string message, int status = StatusCodes.Status400BadRequest) => Results.Json(new { error = message }, statusCode: status);

    private static IResult? CheckModel(ViewerState state, string name, string? version)
    {
        if (!state.Catalog.Names().Contains(name)) return Error($"unknown model '{name}'", StatusCodes.Status404NotFound);
        if (version is not null && version != Version) return Error($"model '{name}' has no version '{version}' (only '{Version}')", StatusCodes.Status404NotFound);
        return null;
    }

    private static IResult Metadata(ViewerState state, string name, string? version)
    {
        if (CheckModel(state, name, version) is { } error) return error;
        var m = state.Catalog.Get(name);
        return Results.Json(new
        {
            name, versions = new[] { Version }, platform = Platform,
            inputs = new[] { new { name = m.Graph.Input.Name, datatype = "FP32", shape = new long[] { 1, 3, m.Height, m.Width } } },
            outputs = new[] { new { name = m.Graph.Output.Name, datatype = "FP32", shape = new long[] { 1, m.Labels.Count } } },
        });
    }

    private static IResult Ready(ViewerState state, string name, string? version)
    {
        if (CheckModel(state, name, version) is { } error) return error;
        bool ready = state.Catalog.IsLoaded(name);
        return Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> InferAsync(ViewerState state, string name, string? version, HttpRequest request)
    {
        if (CheckModel(state, name, version) is { } error) return error;
        var (body, tooBig) = await UploadEndpoint.ReadBodyAsync(request, state.Options.MaxUploadBytes);
        if (tooBig) return Error($"request body of more than {state.Options.MaxUploadBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        int jsonLength = body.Length;
        if (request.Headers.TryGetValue(HeaderLength, out var h))
        {
            if (!int.TryParse(h.ToString(), out jsonLength) || jsonLength < 0 || jsonLength > body.Length)
                return Error($"{HeaderLength}: '{h}' is not a length between 0 and the body's {body.Length} bytes");
        }
        JsonObject req;
        try
        {
            req = JsonNode.Parse(body.AsSpan(0, jsonLength)) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            return Error($"inference request is not valid JSON: {e.Message}");
        }
        LoadedModel model = await Task.Run(() => state.Catalog.Get(name));
        TensorInput input;
        try
        {
            input = ReadInput(req, model, body.AsSpan(jsonLength));
        }
        catch (ArgumentException e)
        {
            return Error(e.Message);
        }

        FrameResult r;
        try { r = await RunAsync(model, input, request.HttpContext.RequestAborted); }
        catch (ArgumentException e) { return Error(e.Message); }

        string outName = model.Graph.Output.Name;
        var wanted = req["outputs"] as JsonArray;
        if (wanted is not null)
            foreach (var o in wanted)
                if ((string?)o?["name"] is { } n && n != outName)
                    return Error($"model '{name}' has no output '{n}' (its output is '{outName}')");
        bool binary = (bool?)req["parameters"]?["binary_data_output"] == true ||
                      wanted?.Any(o => (bool?)o?["parameters"]?["binary_data"] == true) == true;
        var output = new JsonObject { ["name"] = outName, ["datatype"] = "FP32", ["shape"] = new JsonArray(1, r.Scores.Length) };
        var response = new JsonObject { ["model_name"] = name, ["model_version"] = Version };
        if (req["id"] is JsonNode id) response["id"] = id.DeepClone();
        response["outputs"] = new JsonArray(output);
        if (!binary)
        {
            output["data"] = new JsonArray(r.Scores.Select(v => (JsonNode)v).ToArray());
            return Results.Json(response);
        }
        var raw = new byte[r.Scores.Length * 4];
        Buffer.BlockCopy(r.Scores, 0, raw, 0, raw.Length); // little-endian, as the extension specifies
        output["parameters"] = new JsonObject { ["binary_data_size"] = raw.Length };
        var header = JsonSerializer.SerializeToUtf8Bytes(response);
        request.HttpContext.Response.Headers[HeaderLength] = header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Bytes([.. header, .. raw], "application/octet-stream");
    }

    /// <summary>Runs one checked input, one request at a time per model; a caller that gives up while waiting its turn
    /// leaves the queue (<see cref="OperationCanceledException"/>). The REST and gRPC APIs share it.</summary>
    internal static async Task<FrameResult> RunAsync(LoadedModel model, TensorInput input, CancellationToken cancel)
    {
        await model.Gate.WaitAsync(cancel);
        try
        {
            return input.Rgba is { } rgba
                ? model.ClassifyRgba8(rgba, input.Width, input.Height, null)
                : model.ClassifyTensor(input.Floats!, null);
        }
        finally { model.Gate.Release(); }
    }

    /// <summary>Checks one input's name, datatype and shape against the model (FP32 [1, 3, H, W], or a UINT8 RGBA image
    /// [1, height, width, 4] of any size) and returns its element count. The REST and gRPC APIs share it.</summary>
    internal static long CheckInput(LoadedModel model, string? name, string? datatype, long[] shape)
    {
        if (name != model.Graph.Input.Name)
            throw new ArgumentException($"input '{name}': model '{model.Name}' has input '{model.Graph.Input.Name}'");
        if (datatype == "UINT8")
        {
            if (shape.Length != 4 || shape[0] != 1 || shape[3] != 4 || shape[1] < 1 || shape[2] < 1
                || shape[1] > Runtime.InferenceSession.MaxRgba8Side || shape[2] > Runtime.InferenceSession.MaxRgba8Side)
                throw new ArgumentException($"input '{name}': a UINT8 image has shape [1, height, width, 4] (RGBA, sides 1..{Runtime.InferenceSession.MaxRgba8Side}), " +
                                            $"got [{string.Join(", ", shape)}]");
            return shape[1] * shape[2] * 4;
        }
        if (datatype != "FP32")
            throw new ArgumentException($"input '{name}': datatype '{datatype}' is not supported; use FP32 [1, 3, H, W] or UINT8 [1, height, width, 4]");
        long[] expected = [1, 3, model.Height, model.Width];
        if (!shape.SequenceEqual(expected))
            throw new ArgumentException($"input '{name}': shape [{string.Join(", ", shape)}] but the model takes [{string.Join(", ", expected)}]");
        return 3L * model.Height * model.Width;
    }

    /// <summary>The one input tensor of the request, from "data" (flat or nested) or from the binary section: FP32
    /// [1, 3, H, W] as the metadata says, or (an extension) a UINT8 image [1, height, width, 4] of any size (RGBA, as a
    /// game engine's frame), stretched and normalised on the device.</summary>
    private static TensorInput ReadInput(JsonObject req, LoadedModel model, ReadOnlySpan<byte> binary)
    {
        if (req["inputs"] is not JsonArray inputs || inputs.Count != 1)
            throw new ArgumentException($"model '{model.Name}' takes exactly one input ('{model.Graph.Input.Name}'); the request must list it in \"inputs\"");
        var input = inputs[0] as JsonObject ?? throw new ArgumentException("inputs[0] is not an object");
        string? name = (string?)input["name"];
        string? datatype = (string?)input["datatype"];
        long[] shape;
        try { shape = (input["shape"] as JsonArray)?.Select(v => (long)v!).ToArray() ?? []; }
        catch (Exception e) when (e is FormatException or InvalidOperationException) { throw new ArgumentException($"input '{name}': shape must be an array of integers"); }
        int count = (int)CheckInput(model, name, datatype, shape);
        if (datatype == "UINT8") return ReadImage(input, name!, shape, binary);
        if (input["parameters"]?["binary_data_size"] is JsonNode sizeNode)
        {
            long size = (long)sizeNode;
            if (size != count * 4L)
                throw new ArgumentException($"input '{name}': binary_data_size {size} but [{string.Join(", ", shape)}] FP32 is {count * 4L} bytes");
            if (binary.Length != size)
                throw new ArgumentException($"input '{name}': the body has {binary.Length} bytes after the JSON header, binary_data_size says {size}");
            var values = new float[count];
            Buffer.BlockCopy(binary.ToArray(), 0, values, 0, (int)size);
            return new TensorInput(values, null, 0, 0);
        }
        if (input["data"] is not JsonArray data)
            throw new ArgumentException($"input '{name}': no \"data\" and no binary_data_size parameter");
        var flat = new List<float>(count);
        Flatten(data, flat, count, name!);
        if (flat.Count != count)
            throw new ArgumentException($"input '{name}': {flat.Count} values but shape [{string.Join(", ", shape)}] needs {count}");
        return new TensorInput([.. flat], null, 0, 0);
    }

    private static TensorInput ReadImage(JsonObject input, string name, long[] shape, ReadOnlySpan<byte> binary)
    {
        int h = (int)shape[1], w = (int)shape[2];
        long count = (long)w * h * 4;
        byte[] rgba;
        if (input["parameters"]?["binary_data_size"] is JsonNode sizeNode)
        {
            if ((long)sizeNode != count || binary.Length != count)
                throw new ArgumentException($"input '{name}': [{string.Join(", ", shape)}] UINT8 is {count} bytes; binary_data_size says {(long)sizeNode}, the body has {binary.Length}");
            rgba = binary.ToArray();
        }
        else
        {
            if (input["data"] is not JsonArray data) throw new ArgumentException($"input '{name}': no \"data\" and no binary_data_size parameter");
            var flat = new List<float>();
            Flatten(data, flat, (int)count, name);
            if (flat.Count != count) throw new ArgumentException($"input '{name}': {flat.Count} values but shape [{string.Join(", ", shape)}] needs {count}");
            if (flat.Any(v => v is < 0 or > 255 || v != MathF.Floor(v))) throw new ArgumentException($"input '{name}': UINT8 data must be integers 0..255");
            rgba = flat.Select(v => (byte)v).ToArray();
        }
        return new TensorInput(null, rgba, w, h);
    }

    private static void Flatten(JsonArray array, List<float> into, int limit, string name)
    {
        foreach (var item in array)
        {
            if (into.Count > limit) return;
            if (item is JsonArray nested) Flatten(nested, into, limit, name);
            else if (item is JsonValue v && v.TryGetValue(out double d)) into.Add((float)d);
            else throw new ArgumentException($"input '{name}': data holds a non-number ({item?.ToJsonString() ?? "null"})");
        }
    }
}

/// <summary>One checked model input: preprocessed FP32 NCHW floats, or an RGBA8 image of any size.</summary>
internal sealed record TensorInput(float[]? Floats, byte[]? Rgba, int Width, int Height);
