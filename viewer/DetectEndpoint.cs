using System.Collections.Concurrent;
using System.Diagnostics;
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
/// detector is loaded and warmed up on first use by one worker thread that runs the frames in arrival order; it is
/// disposed with the app.</summary>
internal sealed class DetectEndpoint(ViewerState state, VulkanDevice device) : IDisposable
{
    public const string ModelRelative = "models/cache/objectron/object_detection_ssd_mobilenetv2_oidv4_fp16.tflite";
    public const string LabelsRelative = "models/cache/objectron/object_detection_oidv4_labelmap.txt";

    private const int WarmupRuns = 2;

    private readonly BlockingCollection<Job> _jobs = new();
    private readonly Lock _startLock = new();
    private Thread? _worker;
    private SsdDetector? _detector;

    /// <summary>A frame waiting for the detector; the worker completes <paramref name="Done"/> with the result and the
    /// milliseconds it waited.</summary>
    private sealed record Job(ReadOnlyMemory<byte> Rgba, int Width, int Height, float Threshold, long QueuedAt,
        TaskCompletionSource<(DetectionResult Result, double WaitMs)> Done);

    public async Task<IResult> HandleAsync(HttpRequest request)
    {
        float threshold = SsdDecoderOptions.ObjectronSsdMobileNetV2.MinScore;
        if (request.Query["threshold"].FirstOrDefault() is { } t && (!float.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out threshold) || !(threshold is >= 0 and <= 1)))
            return Error($"threshold '{t}': expected a score from 0 to 1", StatusCodes.Status400BadRequest);
        long receiveStart = Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            if (body.Length + read > state.Options.MaxFrameBytes)
                return Error($"frame of more than {state.Options.MaxFrameBytes} bytes (the viewer's limit)", StatusCodes.Status413PayloadTooLarge);
            body.Write(buffer, 0, read);
        }
        double receiveMs = Stopwatch.GetElapsedTime(receiveStart).TotalMilliseconds;
        var message = body.ToArray();
        var (w, h, error) = FrameHeader.Parse(message);
        if (error is not null) return Error(error, StatusCodes.Status400BadRequest);
        // The continuation runs on the pool, so the worker goes straight on to the next frame.
        var job = new Job(message.AsMemory(FrameHeader.Bytes, w * h * 4), w, h, threshold, Stopwatch.GetTimestamp(),
            new TaskCompletionSource<(DetectionResult, double)>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!TryQueue(job)) return Error("the viewer is shutting down", StatusCodes.Status503ServiceUnavailable);
        try
        {
            var (r, waitMs) = await job.Done.Task;
            long jsonStart = Stopwatch.GetTimestamp();
            string json = Reply(r, receiveMs, waitMs).ToJsonString();
            state.DetectReplied?.Invoke(new DetectReply(r, receiveMs, waitMs, Stopwatch.GetElapsedTime(jsonStart).TotalMilliseconds,
                PageMs(request, "X-Capture-Ms"), PageMs(request, "X-Draw-Ms")));
            return Results.Text(json, "application/json");
        }
        catch (FileNotFoundException e)
        {
            return Error(e.Message, StatusCodes.Status503ServiceUnavailable);
        }
        catch (ArgumentException e)
        {
            return Error(e.Message, StatusCodes.Status400BadRequest);
        }
    }

    private bool TryQueue(Job job)
    {
        lock (_startLock)
        {
            if (_jobs.IsAddingCompleted) return false;
            _worker ??= StartWorker();
            _jobs.Add(job);
            return true;
        }
    }

    /// <summary>One thread runs every frame, taking the next one as soon as the last is done: with the page's two in
    /// flight there is always one waiting, so no thread has to be woken between frames.</summary>
    private Thread StartWorker()
    {
        var thread = new Thread(() =>
        {
            foreach (var job in _jobs.GetConsumingEnumerable())
            {
                try
                {
                    double waitMs = Stopwatch.GetElapsedTime(job.QueuedAt).TotalMilliseconds;
                    _detector ??= Load();
                    job.Done.SetResult((_detector.Detect(job.Rgba, job.Width, job.Height, job.Threshold), waitMs));
                }
                catch (Exception e)
                {
                    job.Done.SetException(e);
                }
            }
        }) { IsBackground = true, Name = "detect" };
        thread.Start();
        return thread;
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

    /// <summary>Frees the detector's session after the frames already queued.</summary>
    public void Dispose()
    {
        lock (_startLock) _jobs.CompleteAdding();
        _worker?.Join();
        _detector?.Dispose();
        _detector = null;
        _jobs.Dispose();
    }
}

/// <summary>One frame's stages as --bench reads them: the detector's, reading the body, the wait behind the frame
/// before, building the JSON reply, and the page's capture and draw of its frame before (NaN where the page did not say).</summary>
internal sealed record DetectReply(DetectionResult Result, double ReceiveMs, double WaitMs, double JsonMs, double PageCaptureMs, double PageDrawMs);
