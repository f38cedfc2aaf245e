using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;

namespace GpuMobileNet.Viewer;

/// <summary>One WebSocket client. Binary messages are frames (<see cref="FrameHeader"/>); text messages are JSON
/// control messages (model, capture, stop, train, clear, rename, remove, resize, head, loadHead). Latest frame wins: a receive loop keeps
/// reading and parks only the newest frame; a worker classifies it and replies; a frame that arrives while another
/// is parked replaces it (counted as dropped). Three buffers per client, each at most <see cref="ViewerOptions.MaxFrameBytes"/>.
/// A malformed or oversized message gets one {"type":"error"} reply and the connection is closed.</summary>
internal sealed class FrameSocket(WebSocket socket, ViewerState state, string? session, string? model)
{
    private readonly ViewerOptions _options = state.Options;
    private readonly Teacher _teacher = state.TeacherFor(session);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _frameReady = new(0, 1);
    private readonly object _slotLock = new();
    private byte[] _receiving = new byte[64 * 1024];
    private byte[] _pending = [];
    private byte[] _processing = [];
    private int _pendingLength = -1;
    private double _pendingReceiveMs;
    private long _dropped;
    private long _seq;
    private double _lastReplyMs;
    private volatile LoadedModel? _model;
    private ResizeMode _resize = ResizeMode.Stretch;

    public async Task RunAsync(CancellationToken aborted)
    {
        // The page reconnects with ?model= so its taught classes, which belong to that backbone, are kept.
        var startModel = model is not null && state.Catalog.Names().Contains(model) ? model : _options.DefaultModel;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        Task worker = Task.CompletedTask;
        try
        {
            try
            {
                _model = await Task.Run(() => state.Catalog.Get(startModel), cts.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await FailAsync($"model '{startModel}' failed to load: {e.Message}", WebSocketCloseStatus.InternalServerError, cts.Token);
                return;
            }
            await SendJsonAsync(new JsonObject
            {
                ["type"] = "hello", ["models"] = new JsonArray(state.Catalog.Names().Select(n => (JsonNode)n!).ToArray()),
                ["device"] = state.Catalog.Device.ToString(), ["maxFrameBytes"] = _options.MaxFrameBytes,
            }, cts.Token);
            await SendJsonAsync(ModelInfo(_model), cts.Token);
            worker = Task.Run(() => WorkAsync(cts.Token), cts.Token);
            while (socket.State == WebSocketState.Open)
            {
                var (type, length, receiveMs, error, status) = await ReceiveAsync(cts.Token);
                if (type == WebSocketMessageType.Close)
                {
                    await _sendLock.WaitAsync(cts.Token); // no result may follow our close frame
                    try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token); }
                    finally { _sendLock.Release(); }
                    break;
                }
                if (error is not null) { await FailAsync(error, status, cts.Token); break; }
                if (type == WebSocketMessageType.Text)
                {
                    if (!await HandleControlAsync(Encoding.UTF8.GetString(_receiving, 0, length), cts.Token)) break;
                    continue;
                }
                var (_, _, frameError) = FrameHeader.Parse(_receiving.AsSpan(0, length));
                if (frameError is not null) { await FailAsync(frameError, WebSocketCloseStatus.InvalidPayloadData, cts.Token); break; }
                lock (_slotLock)
                {
                    // The new frame becomes the parked one; the buffer it replaces (if any) receives the next message.
                    (_receiving, _pending) = (_pending, _receiving);
                    if (_receiving.Length == 0) _receiving = new byte[64 * 1024];
                    if (_pendingLength >= 0) _dropped++;
                    _pendingLength = length;
                    _pendingReceiveMs = receiveMs;
                    if (_frameReady.CurrentCount == 0) _frameReady.Release();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away (possibly mid-frame): nothing to answer.
        }
        finally
        {
            await cts.CancelAsync();
            try { await worker; } catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException) { }
        }
    }

    /// <summary>Reads one whole message into <see cref="_receiving"/>, growing it up to the limit for its type.</summary>
    private async Task<(WebSocketMessageType Type, int Length, double Ms, string? Error, WebSocketCloseStatus Status)> ReceiveAsync(CancellationToken ct)
    {
        int total = 0;
        long start = 0;
        while (true)
        {
            if (total == _receiving.Length)
                Array.Resize(ref _receiving, Math.Min(_receiving.Length * 2, _options.MaxFrameBytes + 1));
            var r = await socket.ReceiveAsync(_receiving.AsMemory(total), ct);
            if (start == 0) start = Stopwatch.GetTimestamp();
            if (r.MessageType == WebSocketMessageType.Close) return (r.MessageType, 0, 0, null, default);
            total += r.Count;
            int limit = r.MessageType == WebSocketMessageType.Text ? _options.MaxTextBytes : _options.MaxFrameBytes;
            if (total > limit)
                return (r.MessageType, total, 0, $"{(r.MessageType == WebSocketMessageType.Text ? "text" : "binary")} message of more than {limit} bytes " +
                    $"(the viewer's limit{(r.MessageType == WebSocketMessageType.Binary ? ": a 1024x1024 RGBA8 frame plus its 4-byte header" : "")})",
                    WebSocketCloseStatus.MessageTooBig);
            if (r.EndOfMessage) return (r.MessageType, total, Stopwatch.GetElapsedTime(start).TotalMilliseconds, null, default);
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await _frameReady.WaitAsync(ct);
            int length;
            double receiveMs;
            lock (_slotLock)
            {
                if (_pendingLength < 0) continue;
                (_pending, _processing) = (_processing, _pending);
                length = _pendingLength;
                receiveMs = _pendingReceiveMs;
                _pendingLength = -1;
            }
            var model = _model!;
            var (w, h, _) = FrameHeader.Parse(_processing.AsSpan(0, length));
            FrameResult result;
            await model.Gate.WaitAsync(ct);
            try
            {
                result = model.ClassifyRgba8(_processing.AsMemory(FrameHeader.Bytes, length - FrameHeader.Bytes), w, h, _teacher.Head, _resize);
            }
            catch (Exception e) when (e is not OperationCanceledException) // bad frame, device error: tell the client, keep serving
            {
                state.Log($"frame failed: {e.Message}");
                var error = Error(e.Message);
                error["frame"] = true; // answers the frame, so the page may send the next
                await SendJsonAsync(error, ct);
                continue;
            }
            finally
            {
                model.Gate.Release();
            }
            _teacher.Offer(result.Features);
            var reply = Result(model, result, receiveMs, w, h);
            long sendStart = Stopwatch.GetTimestamp();
            await SendJsonAsync(reply, ct);
            _lastReplyMs = Stopwatch.GetElapsedTime(sendStart).TotalMilliseconds;
        }
    }

    private JsonObject Result(LoadedModel model, FrameResult r, double receiveMs, int w, int h)
    {
        var head = _teacher.Head;
        bool taught = r.TaughtScores is not null && head is not null;
        IReadOnlyList<string> labels = taught ? head!.Classes : model.Labels;
        var scores = taught ? r.TaughtScores! : r.Scores;
        var top = Imaging.Classifier.TopK(scores, labels, Math.Min(5, scores.Length));
        return new JsonObject
        {
            ["type"] = "result", ["seq"] = ++_seq, ["model"] = model.Name, ["frame"] = $"{w}x{h}", ["source"] = taught ? "taught" : "model",
            ["top"] = new JsonArray(top.Select(t => (JsonNode)new JsonObject { ["label"] = t.Label, ["p"] = t.Probability }).ToArray()),
            ["modelTop"] = new JsonArray(Imaging.Classifier.TopK(r.Scores, model.Labels, Math.Min(5, r.Scores.Length))
                .Select(t => (JsonNode)new JsonObject { ["label"] = t.Label, ["p"] = t.Probability }).ToArray()),
            ["timing"] = new JsonObject
            {
                ["receive"] = Math.Round(receiveMs, 3), ["preprocess"] = Math.Round(r.PreprocessMs, 3),
                ["inference"] = Math.Round(r.InferenceMs, 3), ["reply"] = Math.Round(_lastReplyMs, 3),
            },
            ["dropped"] = Interlocked.Read(ref _dropped),
            ["capturing"] = _teacher.Capturing,
            ["samples"] = new JsonObject(_teacher.Counts().Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
    }

    /// <summary>Handles one control message; false when the connection was closed for a malformed one.</summary>
    private async Task<bool> HandleControlAsync(string text, CancellationToken ct)
    {
        JsonObject msg;
        try
        {
            msg = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            await FailAsync($"text message is not a JSON control message ({e.Message})", WebSocketCloseStatus.InvalidPayloadData, ct);
            return false;
        }
        string? type = msg["type"]?.GetValueKind() == JsonValueKind.String ? (string?)msg["type"] : null;
        try
        {
            switch (type)
            {
                case "model":
                    var name = (string?)msg["name"] ?? throw new ArgumentException("model message needs a name");
                    var model = await Task.Run(() => state.Catalog.Get(name), ct);
                    _teacher.UseModel(model.Name); // captured features belong to one backbone: another drops them
                    _model = model;
                    await SendJsonAsync(ModelInfo(model), ct);
                    break;
                case "capture":
                    _teacher.UseModel(_model!.Name);
                    _teacher.StartCapture((string?)msg["label"] ?? "", (int?)msg["frames"] ?? 30);
                    await SendJsonAsync(new JsonObject { ["type"] = "capturing", ["label"] = (string?)msg["label"] }, ct);
                    break;
                case "train":
                    var (trained, ms) = await Task.Run(() => _teacher.Train((string?)msg["kind"]), ct);
                    await SendJsonAsync(TeachEndpoints.Trained(trained, ms), ct);
                    break;
                case "clear":
                    _teacher.Clear();
                    await SendJsonAsync(new JsonObject { ["type"] = "cleared" }, ct);
                    break;
                case "stop":
                    _teacher.StopCapture();
                    await SendJsonAsync(new JsonObject { ["type"] = "stopped" }, ct);
                    break;
                case "rename":
                    _teacher.Rename((string?)msg["from"] ?? "", (string?)msg["to"] ?? "");
                    await SendJsonAsync(new JsonObject { ["type"] = "renamed", ["from"] = (string?)msg["from"], ["to"] = ((string?)msg["to"])?.Trim() }, ct);
                    break;
                case "remove":
                    _teacher.Remove((string?)msg["label"] ?? "");
                    await SendJsonAsync(new JsonObject { ["type"] = "removed", ["label"] = (string?)msg["label"] }, ct);
                    break;
                case "resize": // how frames of another aspect than the model's are fitted
                    _resize = FrameFit.Parse((string?)msg["mode"]) ?? throw new ArgumentException($"resize mode '{(string?)msg["mode"]}': expected stretch, crop or letterbox");
                    await SendJsonAsync(new JsonObject { ["type"] = "resize", ["mode"] = _resize.ToString().ToLowerInvariant() }, ct);
                    break;
                case "head":
                    var current = _teacher.Head ?? throw new ArgumentException("no taught head yet: capture two classes and train");
                    await SendJsonAsync(new JsonObject { ["type"] = "head", ["head"] = JsonNode.Parse(current.ToJson()) }, ct);
                    break;
                case "loadHead":
                    var loaded = TaughtHead.FromJson(msg["head"]?.ToJsonString() ?? "null", "uploaded head");
                    if (loaded.Features != _model!.FeatureCount)
                        throw new ArgumentException($"head has {loaded.Features} features; model '{_model.Name}' gives {_model.FeatureCount}");
                    _teacher.UseModel(_model.Name);
                    _teacher.UseHead(loaded);
                    await SendJsonAsync(new JsonObject { ["type"] = "trained", ["kind"] = loaded.Kind, ["classes"] = new JsonArray(loaded.Classes.Select(c => (JsonNode)c!).ToArray()) }, ct);
                    break;
                default:
                    await FailAsync($"unknown control message type '{type}' (expected model, capture, stop, train, clear, rename, remove, resize, head or loadHead)",
                        WebSocketCloseStatus.InvalidPayloadData, ct);
                    return false;
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or WebSocketException or IOException))
        {
            await SendJsonAsync(Error(e.Message), ct); // a request that cannot be met, not a broken client: keep serving
        }
        return true;
    }

    private static JsonObject ModelInfo(LoadedModel m) => new()
    {
        ["type"] = "model", ["name"] = m.Name, ["width"] = m.Width, ["height"] = m.Height, ["classes"] = m.Labels.Count,
        ["features"] = m.FeatureCount, ["loadMs"] = Math.Round(m.LoadMs),
    };

    private static JsonObject Error(string message) => new() { ["type"] = "error", ["error"] = message };

    private async Task FailAsync(string error, WebSocketCloseStatus status, CancellationToken ct)
    {
        state.Log($"client error: {error}");
        try
        {
            await SendJsonAsync(Error(error), ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, error.Length > 120 ? error[..120] : error, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
    }

    private async Task SendJsonAsync(JsonObject message, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await _sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
