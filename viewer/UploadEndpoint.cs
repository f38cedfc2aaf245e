using GpuMobileNet.Imaging;
using StbImageSharp;

namespace GpuMobileNet.Viewer;

/// <summary>POST /api/classify?model=name[&amp;resize=stretch|crop|letterbox] with an image file as the body (the page's fallback without a camera):
/// decoded on the server (size-checked before decoding), classified through the same RGBA8 path as frames.</summary>
internal static class UploadEndpoint
{
    public static async Task<IResult> HandleAsync(HttpRequest request, ViewerState state)
    {
        var options = state.Options;
        var modelName = request.Query["model"].FirstOrDefault() ?? options.DefaultModel;
        if (Resize(request) is not { } resize) return ResizeError(request);
        var (image, error) = await ReadImageAsync(request, options);
        if (image is null) return error!;
        LoadedModel model;
        try { model = await Task.Run(() => state.Catalog.Get(modelName)); }
        catch (KeyNotFoundException e) { return Error(e.Message, StatusCodes.Status404NotFound); }
        FrameResult r;
        try { r = await ClassifyAsync(model, image, resize); }
        catch (ArgumentException e) { return Error(e.Message, StatusCodes.Status400BadRequest); }
        return Results.Json(new
        {
            model = model.Name, width = image.Width, height = image.Height,
            top = Classifier.TopK(r.Scores, model.Labels, Math.Min(5, r.Scores.Length)).Select(t => new { label = t.Label, p = t.Probability }),
            timing = new { preprocess = r.PreprocessMs, inference = r.InferenceMs },
        });
    }

    /// <summary>The request body decoded as an image, or the error reply (too large, empty, not an image).</summary>
    public static async Task<(RgbImage? Image, IResult? Error)> ReadImageAsync(HttpRequest request, ViewerOptions options)
    {
        var (body, tooBig) = await ReadBodyAsync(request, options.MaxUploadBytes, options.BodyTimeout);
        if (tooBig) return (null, Error($"upload of more than {options.MaxUploadBytes} bytes (the viewer's limit)", StatusCodes.Status413PayloadTooLarge));
        if (body.Length == 0) return (null, Error("empty upload: send an image file as the request body", StatusCodes.Status400BadRequest));
        try { return (Decode(body, options.MaxUploadPixels), null); }
        catch (ImageLoadException e) { return (null, Error(e.Message, StatusCodes.Status400BadRequest)); }
    }

    /// <summary>Runs a decoded image through <paramref name="model"/> (its gate held) on the RGBA8 path frames take.</summary>
    /// <exception cref="ArgumentException">The image is larger than a frame may be.</exception>
    public static async Task<FrameResult> ClassifyAsync(LoadedModel model, RgbImage image, ResizeMode resize)
    {
        if (image.Width > Runtime.InferenceSession.MaxRgba8Side || image.Height > Runtime.InferenceSession.MaxRgba8Side)
            throw new ArgumentException($"upload: {image.Width}x{image.Height} exceeds {Runtime.InferenceSession.MaxRgba8Side} pixels a side");
        var rgba = Teach.FeatureExtractor.ToRgba(image);
        await model.Gate.WaitAsync();
        try { return model.ClassifyRgba8(rgba, image.Width, image.Height, null, resize); }
        finally { model.Gate.Release(); }
    }

    /// <summary>Decodes after checking the header's size, so a small file claiming a huge image is refused before
    /// any allocation.</summary>
    public static RgbImage Decode(byte[] body, long maxPixels)
    {
        ImageInfo? info;
        try
        {
            using var stream = new MemoryStream(body);
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception e) // stb reports bad data with a mix of exception types
        {
            throw new ImageLoadException($"upload: not a supported image ({e.Message.Trim()})", e);
        }
        if (info is null) throw new ImageLoadException("upload: not a supported image (PNG, JPEG, BMP, GIF, TGA, PSD or HDR)");
        if ((long)info.Value.Width * info.Value.Height > maxPixels)
            throw new ImageLoadException($"upload: {info.Value.Width}x{info.Value.Height} image is more than the {maxPixels} pixels the viewer decodes");
        return ImageLoader.Decode(body, "upload");
    }

    /// <summary>The whole body, or TooBig past <paramref name="limit"/> bytes. A body that has not all come within
    /// <paramref name="timeout"/> (a slow sender holding a connection and a buffer) is a 408 BadHttpRequestException
    /// saying how much came.</summary>
    public static async Task<(byte[] Body, bool TooBig)> ReadBodyAsync(HttpRequest request, int limit, TimeSpan? timeout = null)
    {
        if (request.ContentLength > limit) return ([], true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted);
        if (timeout is { } limitTime) deadline.CancelAfter(limitTime);
        long received = 0;
        try
        {
            if (request.ContentLength is { } length) // the usual case: one array of the announced size, no copies
            {
                var body = new byte[length];
                for (int n = 1; received < length && n > 0; received += n)
                    n = await request.Body.ReadAsync(body.AsMemory((int)received), deadline.Token);
                return (received == length ? body : body[..(int)received], false);
            }
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, deadline.Token)) > 0)
            {
                if (buffer.Length + read > limit) return ([], true);
                buffer.Write(chunk, 0, read);
                received += read;
            }
            return (buffer.ToArray(), false);
        }
        catch (OperationCanceledException) when (timeout is not null && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException($"request body not received within {timeout.Value.TotalMilliseconds:0} ms ({received} of " +
                $"{(request.ContentLength is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} bytes came): send it faster",
                StatusCodes.Status408RequestTimeout);
        }
    }

    /// <summary>?resize=stretch|crop|letterbox (default stretch); null when it is something else.</summary>
    public static ResizeMode? Resize(HttpRequest request) =>
        request.Query["resize"].FirstOrDefault() is { } text ? FrameFit.Parse(text) : ResizeMode.Stretch;

    public static IResult ResizeError(HttpRequest request) =>
        Error($"resize '{request.Query["resize"].FirstOrDefault()}': expected stretch, crop or letterbox", StatusCodes.Status400BadRequest);

    public static IResult Error(string message, int status) => Results.Json(new { error = message }, statusCode: status);
}
