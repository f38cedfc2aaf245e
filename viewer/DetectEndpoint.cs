using System.Text.Json.Nodes;
using GpuMobileNet.Detection;
using GpuMobileNet.Imaging;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Viewer;

/// <summary>POST /api/detect[?threshold=0.5] with one frame as the body (<see cref="FrameHeader"/>: uint16 width, uint16
/// height, RGBA8): the objectron SSD-MobileNetV2 (models/cache/objectron, scripts/setup) runs on the viewer's device and
/// the reply is {"detections": [{"label", "score", "box": [x0, y0, x1, y1] in 0..1}], "receiveMs" (reading the body), "preprocessMs", "networkMs",
/// "decodeMs", "nmsMs"}. The page's detection mode posts the next frame when the reply arrives (one in flight). The
/// detector is loaded on first use and runs one frame at a time; it is disposed with the app.</summary>
internal sealed class DetectEndpoint(ViewerState state, VulkanDevice device) : IDisposable
{
    public const string ModelRelative = "models/cache/objectron/object_detection_ssd_mobilenetv2_oidv4_fp16.tflite";
    public const string LabelsRelative = "models/cache/objectron/object_detection_oidv4_labelmap.txt";

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
        await _gate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var detector = _detector ??= await Task.Run(Load);
            var r = await Task.Run(() => detector.Detect(rgba, w, h, threshold));
            state.DetectReplied?.Invoke(r);
            return Results.Json(new JsonObject
            {
                ["detections"] = new JsonArray(r.Detections.Select(d => (JsonNode)new JsonObject
                {
                    ["label"] = d.Label, ["classId"] = d.ClassId, ["score"] = Math.Round(d.Score, 4),
                    ["box"] = new JsonArray(d.Box.XMin, d.Box.YMin, d.Box.XMax, d.Box.YMax),
                }).ToArray()),
                ["receiveMs"] = Math.Round(receiveMs, 2), ["preprocessMs"] = Math.Round(r.PreprocessMs, 2), ["networkMs"] = Math.Round(r.NetworkMs, 2),
                ["decodeMs"] = Math.Round(r.DecodeMs, 3), ["nmsMs"] = Math.Round(r.NmsMs, 3),
            });
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

    private SsdDetector Load()
    {
        string model = Path.Combine(state.Options.RepoRoot, ModelRelative), labels = Path.Combine(state.Options.RepoRoot, LabelsRelative);
        if (!File.Exists(model) || !File.Exists(labels)) throw new FileNotFoundException($"{ModelRelative} is not fetched yet: run scripts/setup");
        return SsdDetector.Load(model, device, Labels.LoadLabels(labels));
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
