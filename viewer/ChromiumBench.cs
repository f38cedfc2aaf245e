using System.Diagnostics;
using System.Text.Json.Nodes;

namespace GpuMobileNet.Viewer;

/// <summary>--bench: end-to-end figures in real headless Chromium. Starts the viewer on a free loopback port, then for
/// each model opens the page in /usr/bin/chromium with a fake camera playing a Y4M clip of a sample photo; the page
/// (?bench=SECONDS) warms up 2 s, measures FPS, round trip and the server's per-stage times for SECONDS, captures three
/// classes of 30 frames, trains a head, and posts its report to /api/bench, printed here. The entry "detect" opens the
/// page in its detection mode instead (<see cref="DetectEntry"/>): FPS and per-stage times counted as the server answers.</summary>
internal static class ChromiumBench
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The --models entry that measures the page's detection mode.</summary>
    public const string DetectEntry = "detect";

    /// <summary>The same with one frame in flight (the page's ?detectDepth=1), to compare with in the same run.</summary>
    public const string DetectSerialEntry = "detect-serial";

    public static async Task<int> RunAsync(ViewerOptions options, IReadOnlyList<string> models, int seconds)
    {
        if (!File.Exists(Chromium)) throw new FileNotFoundException($"{Chromium} is missing: run scripts/setup (apt package chromium)");
        var dir = Directory.CreateTempSubdirectory("gmn-bench-").FullName;
        var app = ViewerApp.Build(["--urls", "http://127.0.0.1:0"], options, _ => { });
        var state = app.Services.GetRequiredService<ViewerState>();
        await app.StartAsync();
        try
        {
            var clip = Y4mClip.Write(dir, Path.Combine(options.RepoRoot, "models", "cache", "photos", "chelsea.png"), frames: 60);
            var url = ViewerApp.Addresses(app).Single();
            Console.WriteLine($"bench: headless Chromium, fake camera {Path.GetFileName(clip)} (320x240), device {state.Catalog.Device}");
            foreach (var model in models)
            {
                if (model is DetectEntry or DetectSerialEntry)
                {
                    await DetectAsync(state, url, clip, dir, seconds, model);
                    continue;
                }
                state.Catalog.Get(model); // load before the page's clock starts
                var report = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
                state.BenchReport = json => report.TrySetResult(json);
                var page = $"{url}/?bench={seconds}&model={Uri.EscapeDataString(model)}&session=bench-{Guid.NewGuid():N}";
                using var chromium = StartChromium(page, clip, dir);
                try
                {
                    var done = await Task.WhenAny(report.Task, Task.Delay(TimeSpan.FromSeconds(seconds + 120)));
                    if (done != report.Task) throw new TimeoutException($"{model}: no report from the page in {seconds + 120} s");
                    Print(report.Task.Result);
                }
                finally
                {
                    chromium.Kill(entireProcessTree: true);
                    chromium.WaitForExit();
                }
            }
            return 0;
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The page in its default mode, detection, on the fake camera: the page keeps two frames in flight (one for
    /// <see cref="DetectSerialEntry"/>), so the replies the server sends per second are the page's FPS. Warms up for 5
    /// replies (the first loads the detector) and 2 s, then counts for <paramref name="seconds"/> and prints the median of
    /// every stage, the page's included.</summary>
    private static async Task DetectAsync(ViewerState state, string url, string clip, string dir, int seconds, string entry)
    {
        var replies = new List<DetectReply>();
        state.DetectReplied = r => { lock (replies) replies.Add(r); };
        int depth = entry == DetectSerialEntry ? 1 : 2;
        using var chromium = StartChromium($"{url}/?session=bench-{Guid.NewGuid():N}&detectDepth={depth}", clip, dir);
        try
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (seconds + 120L);
            int Count() { lock (replies) return replies.Count; }
            while (Count() < 5 && Stopwatch.GetTimestamp() < deadline) await Task.Delay(100);
            if (Count() < 5) throw new TimeoutException($"{entry}: fewer than 5 detection replies in {seconds + 120} s");
            await Task.Delay(2000);
            int first = Count();
            long start = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            List<DetectReply> measured;
            lock (replies) measured = replies.Skip(first).ToList();
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            string Median(Func<DetectReply, double> stage)
            {
                var ms = measured.Select(stage).Where(double.IsFinite).Order().ToList();
                return ms.Count == 0 ? "-" : ms[ms.Count / 2].ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            }
            // The share of the time the detector was busy: pipelining is working where this is near 100%.
            double busy = measured.Sum(r => r.Result.PreprocessMs + r.Result.NetworkMs + r.Result.DecodeMs + r.Result.NmsMs) / (10 * elapsed);
            Console.WriteLine($"{entry}: {measured.Count / elapsed:F1} FPS over {measured.Count} frames in {elapsed:F1} s, detector busy {busy:F0}%; median stages (ms): " +
                              $"page capture {Median(r => r.PageCaptureMs)}, receive {Median(r => r.ReceiveMs)}, queued {Median(r => r.WaitMs)}, " +
                              $"preprocess {Median(r => r.Result.PreprocessMs)}, network {Median(r => r.Result.NetworkMs)} (upload {Median(r => r.Result.UploadMs)}, " +
                              $"device {Median(r => r.Result.DeviceMs)}, read back {Median(r => r.Result.ReadbackMs)}), decode {Median(r => r.Result.DecodeMs)}, " +
                              $"NMS {Median(r => r.Result.NmsMs)}, JSON {Median(r => r.JsonMs)}, page draw {Median(r => r.PageDrawMs)}; detections in the last frame: " +
                              string.Join(", ", measured.LastOrDefault()?.Result.Detections.Select(d => d.Label) ?? []));
        }
        finally
        {
            state.DetectReplied = null;
            chromium.Kill(entireProcessTree: true);
            chromium.WaitForExit();
        }
    }

    private static Process StartChromium(string url, string clip, string dir)
    {
        var info = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(dir, "profile-" + Guid.NewGuid().ToString("N"))}",
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={clip}",
                     "--autoplay-policy=no-user-gesture-required", url,
                 })
            info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void Print(JsonObject r)
    {
        string Ms(string k) => $"{(double)r["median"]![k]!:F1}";
        Console.WriteLine($"{(string?)r["model"]}: {(double)r["fps"]!:F1} FPS over {(int)r["frames"]!} frames in {(double)r["seconds"]!:F1} s; " +
                          $"median round trip {Ms("rtt")} ms = receive {Ms("receive")} + preprocess {Ms("preprocess")} + inference {Ms("inference")} " +
                          $"+ reply {Ms("reply")} ms server-side; teach 3 classes x 30 frames: trained in {(double)r["teachMs"]!:F0} ms ({(string?)r["teachKind"]})");
    }
}
