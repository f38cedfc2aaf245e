using System.IO.Compression;
using System.Text.Json.Nodes;
using GpuMobileNet.Teach;

namespace GpuMobileNet.Viewer;

/// <summary>Teaching over HTTP, sharing the page session's state with /ws (?session=ID, the page's id):
/// POST /api/teach/samples?session=ID&amp;label=NAME[&amp;model=NAME][&amp;resize=stretch|crop|letterbox] with an image file as the body adds its features
/// to the class (made if new); GET /api/teach/export?session=ID&amp;format=onnx|tfjs|labels downloads the taught model:
/// one ONNX file (backbone + head), a zip of a TF.js layers model (model.json, weights.bin, labels.txt), or labels.txt.</summary>
internal static class TeachEndpoints
{
    public static void Map(WebApplication app, ViewerState state)
    {
        app.MapPost("/api/teach/samples", (HttpRequest request) => AddSampleAsync(request, state));
        app.MapGet("/api/teach/export", (HttpRequest request) => ExportAsync(request, state));
    }

    /// <summary>The "trained" reply: kind, classes, training time, each kind's held-out accuracy and the kept kind's
    /// confusion matrix on the held-out fifth ([true][predicted] in the order of classes; null without a hold-out).</summary>
    public static JsonObject Trained(TrainingResult r, double ms) => new()
    {
        ["type"] = "trained", ["kind"] = r.Head.Kind, ["classes"] = new JsonArray(r.Head.Classes.Select(c => (JsonNode)c!).ToArray()),
        ["ms"] = Math.Round(ms, 1), ["heldOut"] = new JsonObject(r.HeldOutAccuracy.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["confusion"] = r.Confusion is null ? null : new JsonArray(r.Confusion.Select(row => (JsonNode)new JsonArray(row.Select(n => (JsonNode)n).ToArray())).ToArray()),
    };

    private static async Task<IResult> AddSampleAsync(HttpRequest request, ViewerState state)
    {
        var options = state.Options;
        if (Teacher(request, state) is not { } teacher) return SessionError(request);
        var label = request.Query["label"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(label)) return UploadEndpoint.Error("teach samples: give the class as ?label=NAME", StatusCodes.Status400BadRequest);
        var modelName = request.Query["model"].FirstOrDefault() ?? teacher.Model ?? options.DefaultModel;
        if (UploadEndpoint.Resize(request) is not { } resize) return UploadEndpoint.ResizeError(request);
        var (image, error) = await UploadEndpoint.ReadImageAsync(request, options);
        if (image is null) return error!;
        LoadedModel model;
        FrameResult result;
        try
        {
            model = await Task.Run(() => state.Catalog.Get(modelName));
            result = await UploadEndpoint.ClassifyAsync(model, image, resize);
        }
        catch (ArgumentException e) { return UploadEndpoint.Error(e.Message, StatusCodes.Status400BadRequest); }
        catch (KeyNotFoundException e) { return UploadEndpoint.Error(e.Message, StatusCodes.Status404NotFound); }
        try
        {
            teacher.UseModel(model.Name);
            int count = teacher.AddSamples(label, [result.Features]);
            return Results.Json(new { model = model.Name, label = label.Trim(), samples = count });
        }
        catch (ArgumentException e) { return UploadEndpoint.Error(e.Message, StatusCodes.Status400BadRequest); }
    }

    private static async Task<IResult> ExportAsync(HttpRequest request, ViewerState state)
    {
        if (Teacher(request, state) is not { } teacher) return SessionError(request);
        var format = request.Query["format"].FirstOrDefault() ?? "onnx";
        if (format is not ("onnx" or "tfjs" or "labels"))
            return UploadEndpoint.Error($"export format '{format}': expected onnx, tfjs or labels", StatusCodes.Status400BadRequest);
        if (teacher.Head is not { } head || teacher.Model is not { } modelName)
            return UploadEndpoint.Error("no taught head to export yet: capture two classes and train", StatusCodes.Status409Conflict);
        if (format == "labels") return Results.Text(TaughtModel.LabelsText(head), "text/plain");
        var model = await Task.Run(() => state.Catalog.Get(modelName));
        try
        {
            if (format == "onnx")
                return Results.File(await Task.Run(() => TaughtModel.ToOnnx(model.Graph, head)), "application/octet-stream", "taught.onnx");
            var (json, weights) = await Task.Run(() => TaughtModel.ToTfjs(model.Graph, head));
            return Results.File(Zip(("model.json", System.Text.Encoding.UTF8.GetBytes(json)), (Export.Tfjs.TfjsExporter.WeightsFile, weights),
                ("labels.txt", System.Text.Encoding.UTF8.GetBytes(TaughtModel.LabelsText(head)))), "application/zip", "taught_tfjs.zip");
        }
        catch (NotSupportedException e) { return UploadEndpoint.Error(e.Message, StatusCodes.Status409Conflict); }
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in files)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                entry.Write(bytes);
            }
        return buffer.ToArray();
    }

    private static Teacher? Teacher(HttpRequest request, ViewerState state) => state.SharedTeacher(request.Query["session"].FirstOrDefault());

    private static IResult SessionError(HttpRequest request) => UploadEndpoint.Error(
        $"session '{request.Query["session"].FirstOrDefault()}': give the page's session id (?session=, 1 to 64 letters, digits, - or _); " +
        "or the viewer keeps no more sessions", StatusCodes.Status400BadRequest);
}
