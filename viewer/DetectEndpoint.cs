using System.Text.Json.Nodes;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer;

/// <summary>POST /api/detect[?threshold=0.5] with one frame as the body (<see cref="FrameHeader"/>: uint16 width, uint16
/// height, RGBA8): the objectron SSD-MobileNetV2 (models/cache/objectron, scripts/setup) runs on the viewer's device and
/// the reply is {"detections": [{"label", "score", "box": [x0, y0, x1, y1] in 0..1}], "receiveMs" (reading the body),
/// "waitMs" (queued behind the frame before), "preprocessMs", "networkMs", "decodeMs", "nmsMs"}. The page keeps two
/// frames in flight, so one waits here while the other runs. The page may say what its own stages took for the frame
/// before (headers X-Capture-Ms, X-Draw-Ms), passed on to <see cref="ViewerState.DetectReplied"/> for --bench. The
/// detector is loaded and warmed up on first use and runs one frame at a time; it is disposed with the app.</summary>
internal sealed class DetectEndpoint(ViewerState state, VulkanDevice device) : IDisposable
{
    public const string ModelRelative = "models/cache/objectron/object_detection_ssd_mobilenetv2_oidv4_fp16.tflite";
    public const string LabelsRelative = "models/cache/objectron/object_detection_oidv4_labelmap.txt";

    private const int WarmupRuns = 2;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SsdDetector? _detector;
    private bool _disposed;

    public async Task<IResult> HandleAsync(HttpRequest request)
    {
        float threshold = SsdDecoderOptions.ObjectronSsdMobileNetV2.MinScore;
        if (request.Query["threshold"].FirstOrDefault() is { } t && (!float.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out threshold) || !(threshold is >= 0 and <= 1)))
            return Error($"threshold '{t}': expected a score from 0 to 1", StatusCodes.Status400BadRequest);
        long receiveStart = System.Diagnostics.Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            if (body.Length + read > state.Options.MaxFrameBytes)
                return Error($"frame of more than {state.Options.MaxFrameBytes} bytes (the viewer's limit)", StatusCodes.Status413PayloadTooLarge);
            body.Write(buffer, 0, read);
        }
        double receiveMs = System.Diagnostics.Stopwatch.GetElapsedTime(receiveStart).TotalMilliseconds;
        var message = body.ToArray();
        var (w, h, error) = FrameHeader.Parse(message);
        if (error is not null) return Error(error, StatusCodes.Status400BadRequest);
        var rgba = message.AsMemory(FrameHeader.Bytes, w * h * 4);
        long waitStart = System.Diagnostics.Stopwatch.GetTimestamp();
        await _gate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var detector = _detector ??= await Task.Run(Load);
            double waitMs = System.Diagnostics.Stopwatch.GetElapsedTime(waitStart).TotalMilliseconds;
            var r = detector.Detect(rgba, w, h, threshold); // on this pool thread: a hop fewer between queued frames
            long jsonStart = System.Diagnostics.Stopwatch.GetTimestamp();
            string json = Reply(r, receiveMs, waitMs).ToJsonString();
            state.DetectReplied?.Invoke(new DetectReply(r, receiveMs, waitMs, System.Diagnostics.Stopwatch.GetElapsedTime(jsonStart).TotalMilliseconds,
                PageMs(request, "X-Capture-Ms"), PageMs(request, "X-Draw-Ms")));
            return Results.Text(json, "application/json");
        }
        catch (FileNotFoundException e)
        {
            return Error(e.Message, StatusCodes.Status503ServiceUnavailable);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static JsonObject Reply(DetectionResult r, double receiveMs, double waitMs) => new()
    {
        ["detections"] = new JsonArray(r.Detections.Select(d => (JsonNode)new JsonObject
        {
            ["label"] = d.Label, ["classId"] = d.ClassId, ["score"] = Math.Round(d.Score, 4),
            ["box"] = new JsonArray(d.Box.XMin, d.Box.YMin, d.Box.XMax, d.Box.YMax),
        }).ToArray()),
        ["receiveMs"] = Math.Round(receiveMs, 2), ["waitMs"] = Math.Round(waitMs, 2), ["preprocessMs"] = Math.Round(r.PreprocessMs, 2),
        ["networkMs"] = Math.Round(r.NetworkMs, 2), ["decodeMs"] = Math.Round(r.DecodeMs, 3), ["nmsMs"] = Math.Round(r.NmsMs, 3),
    };

    /// <summary>A page stage the page reported in header <paramref name="name"/> (NaN when absent or not a number).</summary>
    private static double PageMs(HttpRequest request, string name) =>
        double.TryParse(request.Headers[name].FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out double ms) ? ms : double.NaN;

    private SsdDetector Load()
    {
        string model = Path.Combine(state.Options.RepoRoot, ModelRelative), labels = Path.Combine(state.Options.RepoRoot, LabelsRelative);
        if (!File.Exists(model) || !File.Exists(labels)) throw new FileNotFoundException($"{ModelRelative} is not fetched yet: run scripts/setup");
        var detector = SsdDetector.Load(model, device, Labels.LoadLabels(labels));
        // The first runs compile (llvmpipe builds each pipeline's code on its first dispatch; .NET tiers up): done here,
        // so the page's first frames run at the speed of the later ones.
        var (w, h) = detector.InputSize;
        for (int i = 0; i < WarmupRuns; i++) detector.Detect(new byte[w * h * 4], w, h);
        return detector;
    }

    private static IResult Error(string message, int status) => Results.Json(new { error = message }, statusCode: status);

    /// <summary>Frees the detector's session (after any frame in progress).</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _detector?.Dispose();
            _detector = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>One frame's stages as --bench reads them: the detector's, reading the body, the wait behind the frame
/// before, building the JSON reply, and the page's capture and draw of its frame before (NaN where the page did not say).</summary>
internal sealed record DetectReply(DetectionResult Result, double ReceiveMs, double WaitMs, double JsonMs, double PageCaptureMs, double PageDrawMs);
