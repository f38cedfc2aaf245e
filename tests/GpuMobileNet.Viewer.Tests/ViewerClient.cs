using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>A WebSocket client speaking the page's protocol, for the server-side tests.</summary>
public sealed class ViewerClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(180));

    public static async Task<ViewerClient> ConnectAsync(Uri url, string? session = null)
    {
        var c = new ViewerClient();
        await c._socket.ConnectAsync(session is null ? url : new Uri(url + "?session=" + session), c._timeout.Token);
        return c;
    }

    public WebSocket Socket => _socket;
    public CancellationToken Token => _timeout.Token;

    /// <summary>Reads messages until one of <paramref name="type"/> (or an error, which is returned) arrives; null when closed.</summary>
    public async Task<JsonObject?> ReadUntilAsync(string type)
    {
        while (true)
        {
            var m = await ReadAsync();
            if (m is null) return null;
            var t = (string?)m["type"];
            if (t == type || t == "error") return m;
        }
    }

    public async Task<JsonObject?> ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult r;
            try { r = await _socket.ReceiveAsync(buffer, _timeout.Token); }
            catch (WebSocketException) { return null; }
            if (r.MessageType == WebSocketMessageType.Close) return null;
            ms.Write(buffer, 0, r.Count);
            if (r.EndOfMessage) return (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(ms.ToArray()))!;
        }
    }

    public Task SendFrameAsync(byte[] rgba, int width, int height) =>
        _socket.SendAsync(FrameHeader.Build(width, height, rgba), WebSocketMessageType.Binary, true, _timeout.Token);

    public Task SendBytesAsync(byte[] bytes, bool endOfMessage = true) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage, _timeout.Token);

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _timeout.Token);

    /// <summary>A photo stretched (nearest pixel) to width x height, as RGBA8 with alpha 255.</summary>
    public static byte[] PhotoFrame(string photo, int width, int height) => ToRgba(Stretch(ImageLoader.Load(ViewerServer.Photo(photo)), width, height));

    public static RgbImage Stretch(RgbImage src, int width, int height)
    {
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int sx = x * src.Width / width, sy = y * src.Height / height;
                for (int c = 0; c < 3; c++) px[(y * width + x) * 3 + c] = src.Pixels[(sy * src.Width + sx) * 3 + c];
            }
        return new RgbImage(width, height, px);
    }

    public static byte[] ToRgba(RgbImage img)
    {
        var rgba = new byte[img.Width * img.Height * 4];
        for (int i = 0; i < img.Width * img.Height; i++)
        {
            rgba[4 * i] = img.Pixels[3 * i];
            rgba[4 * i + 1] = img.Pixels[3 * i + 1];
            rgba[4 * i + 2] = img.Pixels[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        return rgba;
    }

    public static RgbImage FromRgba(byte[] rgba, int width, int height)
    {
        var px = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            px[3 * i] = rgba[4 * i];
            px[3 * i + 1] = rgba[4 * i + 1];
            px[3 * i + 2] = rgba[4 * i + 2];
        }
        return new RgbImage(width, height, px);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }
}
