using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMobileNet.Viewer.Serving;

namespace GpuMobileNet.Viewer;

/// <summary>The Open Inference Protocol (KServe v2) REST API, a thin layer over <see cref="ModelRepository"/>: health,
/// server and model metadata, readiness that follows the load state, infer (JSON or binary tensor data, every output by
/// name, batches up to the model's max_batch_size, UINT8 RGBA images, the classification extension), the model
/// repository extension (index, load, unload), the statistics extension and Prometheus /metrics. Each model has one
/// version, "1". Errors are {"error": "..."}: 400 bad request or failed load, 404 unknown model or version, 413 body
/// too large, 408 a body sent too slowly, 429 queue full, 503 unloading or timed out, 500 a failed run.</summary>
internal static class KServeApi
{
    public const string HeaderLength = KServeCodec.HeaderLength;
    public const string Version = ModelSpec.Version;
    public const string ServerName = "gpumobilenet";
    public const string Platform = ModelSpec.Platform;
    public static readonly string ServerVersion = typeof(KServeApi).Assembly.GetName().Version?.ToString() ?? "0";
    public static readonly string[] Extensions = ["binary_tensor_data", "classification", "model_repository", "statistics"];

    public static void Map(WebApplication app, ViewerState state)
    {
        var repository = state.Repository;
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }));
        app.MapGet("/v2/health/ready", () => Results.Json(new { ready = repository.IsReady }, statusCode: repository.IsReady ? 200 : 400));
        app.MapGet("/v2", () => Results.Json(new
        {
            name = ServerName, version = ServerVersion, extensions = Extensions,
        }));
        app.MapGet("/v2/models/{name}", (string name) => Handle(() => MetadataAsync(repository, Unescaped(name), null)));
        app.MapGet("/v2/models/{name}/versions/{version}", (string name, string version) => Handle(() => MetadataAsync(repository, Unescaped(name), version)));
        app.MapGet("/v2/models/{name}/ready", (string name) => Handle(() => Ready(repository, Unescaped(name), null)));
        app.MapGet("/v2/models/{name}/versions/{version}/ready", (string name, string version) => Handle(() => Ready(repository, Unescaped(name), version)));
        app.MapPost("/v2/models/{name}/infer", (string name, HttpRequest request) => Handle(() => InferAsync(state, Unescaped(name), null, request)));
        app.MapPost("/v2/models/{name}/versions/{version}/infer", (string name, string version, HttpRequest request) => Handle(() => InferAsync(state, Unescaped(name), version, request)));
        app.MapGet("/v2/models/stats", () => Results.Json(repository.Statistics()));
        app.MapGet("/v2/models/{name}/stats", (string name) => Handle(() => Task.FromResult(Results.Json(repository.Statistics(Unescaped(name))))));
        app.MapGet("/v2/models/{name}/versions/{version}/stats", (string name, string version) => Handle(() => Task.FromResult(Results.Json(repository.Statistics(Unescaped(name), version)))));
        app.MapPost("/v2/repository/index", (HttpRequest request) => Handle(() => IndexAsync(state, request)));
        app.MapPost("/v2/repository/models/{name}/load", (string name, HttpRequest request) => Handle(() => LoadAsync(state, Unescaped(name), request)));
        app.MapPost("/v2/repository/models/{name}/unload", (string name) => Handle(async () =>
        {
            await repository.UnloadAsync(Unescaped(name));
            return Results.Ok();
        }));
        app.MapGet("/metrics", () => Results.Text(repository.PrometheusMetrics(), PrometheusText.ContentType));
    }

    /// <summary>A model name from the URL: the models folder's names have slashes ("user/mine/model.onnx"), which a
    /// client escapes (%2F) to keep them one path segment; the server leaves %2F escaped in route values.</summary>
    private static string Unescaped(string name) => Uri.UnescapeDataString(name);

    /// <summary>Runs a handler, answering a <see cref="ServingException"/> as the protocol's error with its status.</summary>
    private static async Task<IResult> Handle(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ServingException e)
        {
            return Error(e.Message, StatusOf(e.Kind));
        }
        catch (BadHttpRequestException e) // a body too slow (ours, Kestrel's minimum data rate) or cut short
        {
            return Error(e.Message, e.StatusCode);
        }
    }

    public static int StatusOf(ServingError kind) => kind switch
    {
        ServingError.BadRequest => StatusCodes.Status400BadRequest,
        ServingError.NotFound => StatusCodes.Status404NotFound,
        ServingError.QueueFull => StatusCodes.Status429TooManyRequests,
        ServingError.Unavailable or ServingError.Timeout => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static IResult Error(string message, int status) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> MetadataAsync(ModelRepository repository, string name, string? version)
    {
        var m = await repository.MetadataAsync(name, version);
        static JsonArray Tensors(IEnumerable<TensorMetadata> list) => new(list.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name, ["datatype"] = t.Datatype, ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
        }).ToArray());
        return Results.Json(new JsonObject
        {
            ["name"] = m.Name, ["versions"] = new JsonArray(m.Versions.Select(v => (JsonNode)v).ToArray()), ["platform"] = m.Platform,
            ["inputs"] = Tensors(m.Inputs), ["outputs"] = Tensors(m.Outputs),
            ["parameters"] = new JsonObject { ["max_batch_size"] = m.MaxBatchSize, ["image_input"] = m.ImageInput },
        });
    }

    private static Task<IResult> Ready(ModelRepository repository, string name, string? version)
    {
        if (version is not null && version != Version) throw new ServingException(ServingError.NotFound, $"model '{name}' has no version '{version}' (only '{Version}')");
        bool ready = repository.StateOf(name) == ModelState.Ready;
        return Task.FromResult(Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest));
    }

    private static async Task<IResult> InferAsync(ViewerState state, string name, string? version, HttpRequest request)
    {
        state.Repository.Check(name, version); // an unknown model is 404, and a full queue 429, before the body is read
        state.Repository.CheckQueue(name);
        long phase = Stopwatch.GetTimestamp();
        var (body, tooBig) = await UploadEndpoint.ReadBodyAsync(request, state.Options.MaxUploadBytes, state.Options.BodyTimeout);
        if (tooBig) return Error($"request body of more than {state.Options.MaxUploadBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        phase = Record(state, name, ServingPhase.Receive, phase);
        var (inference, binary) = KServeCodec.ParseRequest(name, version, body, request.Headers.TryGetValue(HeaderLength, out var h) ? h.ToString() : null);
        Record(state, name, ServingPhase.Parse, phase);
        InferenceResponse response;
        try
        {
            response = await state.Repository.InferAsync(inference, request.HttpContext.RequestAborted);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.StatusCode(499); // the client went away while queued: no one to answer, nothing to log as an error
        }
        phase = Stopwatch.GetTimestamp();
        var (bytes, headerLength) = KServeCodec.WriteResponse(response, binary);
        Record(state, name, ServingPhase.Serialise, phase);
        if (headerLength is null) return Results.Bytes(bytes, "application/json");
        request.HttpContext.Response.Headers[HeaderLength] = headerLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Bytes(bytes, "application/octet-stream");
    }

    /// <summary>Counts the time since <paramref name="start"/> in <paramref name="phase"/>; returns now, the next phase's start.</summary>
    private static long Record(ViewerState state, string model, ServingPhase phase, long start)
    {
        long now = Stopwatch.GetTimestamp();
        state.Repository.RecordPhase(model, phase, Stopwatch.GetElapsedTime(start, now));
        return now;
    }

    /// <summary>POST /v2/repository/index [{"ready": true}]: every model with its state, as the extension lists them.</summary>
    private static async Task<IResult> IndexAsync(ViewerState state, HttpRequest request)
    {
        var json = await JsonBodyAsync(state, request);
        bool readyOnly = json?["ready"] is JsonValue v && v.TryGetValue(out bool b) && b;
        return Results.Json(new JsonArray(state.Repository.Index(readyOnly).Select(e => (JsonNode)new JsonObject
        {
            ["name"] = e.Name, ["version"] = e.Version, ["state"] = e.State.ToString().ToUpperInvariant(), ["reason"] = e.Reason,
        }).ToArray()));
    }

    /// <summary>POST /v2/repository/models/{name}/load [{"parameters": {"config": "{...}"}}]: loads (or reloads with the
    /// config) and answers once the model is ready.</summary>
    private static async Task<IResult> LoadAsync(ViewerState state, string name, HttpRequest request)
    {
        var json = await JsonBodyAsync(state, request);
        string? config = json?["parameters"]?["config"] is JsonValue c && c.TryGetValue(out string? s) ? s : null;
        await state.Repository.LoadAsync(name, config);
        return Results.Ok();
    }

    /// <summary>An optional JSON object body (empty: null).</summary>
    private static async Task<JsonObject?> JsonBodyAsync(ViewerState state, HttpRequest request)
    {
        var (body, tooBig) = await UploadEndpoint.ReadBodyAsync(request, state.Options.MaxTextBytes, state.Options.BodyTimeout);
        if (tooBig) throw new ServingException(ServingError.BadRequest, $"request body of more than {state.Options.MaxTextBytes} bytes");
        if (body.Length == 0) return null;
        try { return System.Text.Json.Nodes.JsonNode.Parse(body) as JsonObject ?? throw new System.Text.Json.JsonException("not a JSON object"); }
        catch (System.Text.Json.JsonException e) { throw new ServingException(ServingError.BadRequest, $"request body is not a JSON object: {e.Message}"); }
    }
}
