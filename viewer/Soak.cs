using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;

namespace GpuMobileNet.Viewer;

/// <summary>--soak N: starts the viewer in this process on a free loopback port and drives N frames through one
/// WebSocket client as the page does (one in flight), cycling photos and frame sizes; prints host RSS, managed heap and
/// the engine's device memory at the start (after 100 warm-up frames) and at the end, which should be flat.</summary>
internal static class Soak
{
    public static async Task<int> RunAsync(ViewerOptions options, int frames, string model)
    {
        var app = ViewerApp.Build(["--urls", "http://127.0.0.1:0"], options, _ => { });
        await app.StartAsync();
        try
        {
            var state = app.Services.GetRequiredService<ViewerState>();
            var url = new Uri(ViewerApp.Addresses(app).Single().Replace("http://", "ws://") + "/ws");
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(url, CancellationToken.None);
            var info = await ReadUntilAsync(ws, "model");
            if ((string?)info["name"] != model)
            {
                await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"model\",\"name\":\"{model}\"}}"), WebSocketMessageType.Text, true, CancellationToken.None);
                info = await ReadUntilAsync(ws, "model");
            }
            int w = (int)info["width"]!, h = (int)info["height"]!;
            // A few photos at a few sizes (the model's, and others the device stretches), cycled.
            var photos = new[] { "chelsea.png", "coffee.png", "rocket.jpg" }.Select(p => ImageLoader.Load(Path.Combine(options.RepoRoot, "models", "cache", "photos", p)));
            var messages = photos.SelectMany(p => new[] { (w, h), (w + 37, h - 11), (320, 240) }.Select(s => FrameHeader.Build(s.Item1, s.Item2, Stretch(p, s.Item1, s.Item2)))).ToArray();
            Console.WriteLine($"soak: {frames} frames of {model} ({w}x{h}) on {state.Catalog.Device} through {url}");
            const int warmup = 100;
            var clock = new Stopwatch();
            for (int i = 0; i < frames + warmup; i++)
            {
                if (i == warmup) { Print("start", state); clock.Start(); }
                await ws.SendAsync(messages[i % messages.Length], WebSocketMessageType.Binary, true, CancellationToken.None);
                var r = await ReadUntilAsync(ws, "result");
                if ((string?)r["type"] != "result") throw new InvalidOperationException($"frame {i}: {r.ToJsonString()}");
                if (i > warmup && (i - warmup) % 2000 == 0) Print($"{i - warmup,5} frames", state);
            }
            Print("end", state);
            Console.WriteLine($"soak: {frames} frames in {clock.Elapsed.TotalSeconds:F1} s = {frames / clock.Elapsed.TotalSeconds:F1} frames/s");
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            return 0;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static void Print(string when, ViewerState state)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"soak {when}: host RSS {self.WorkingSet64 / 1048576.0:F1} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F1} MiB, " +
                          $"device memory {state.Catalog.Device.AllocatedBytes / 1048576.0:F1} MiB, clients {state.Clients}");
    }

    private static async Task<JsonObject> ReadUntilAsync(ClientWebSocket ws, string type)
    {
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var ms = new MemoryStream();
            WebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("server closed the connection");
                ms.Write(buffer, 0, r.Count);
            } while (!r.EndOfMessage);
            var m = (JsonObject)JsonNode.Parse(ms.ToArray())!;
            if ((string?)m["type"] == type || (string?)m["type"] == "error") return m;
        }
    }

    internal static byte[] Stretch(RgbImage src, int width, int height)
    {
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int s = ((y * src.Height / height) * src.Width + x * src.Width / width) * 3, d = (y * width + x) * 4;
                rgba[d] = src.Pixels[s]; rgba[d + 1] = src.Pixels[s + 1]; rgba[d + 2] = src.Pixels[s + 2]; rgba[d + 3] = 255;
            }
        return rgba;
    }
}
