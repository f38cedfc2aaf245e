namespace GpuMobileNet.Viewer;

/// <summary>What the viewer serves and the limits it enforces on every client.</summary>
public sealed record ViewerOptions
{
    /// <summary>The data folder: where models/cache (nsfwjs weights, sample photos) and models/nsfwjs_labels.txt are (the
    /// repository checkout, or a published app's folder).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>Folder scanned for models a user dropped in (ONNX, TFLite, TF.js model.json; one level of sub-folders).</summary>
    public string? ModelsDir { get; init; }

    /// <summary>Vulkan device index or name (null: the engine's choice).</summary>
    public string? Device { get; init; }

    /// <summary>URL prefix the viewer is served under (e.g. "/gmn" behind a reverse proxy); requests without it are
    /// served too. Null: none.</summary>
    public string? PathBase { get; init; }

    /// <summary>Serve the inference API alone: no page, WebSocket, upload or photo endpoints.</summary>
    public bool ApiOnly { get; init; }

    /// <summary>Where the KServe v2 gRPC API listens (';'-separated URLs, HTTP/2 cleartext); null: no gRPC server.</summary>
    public string? GrpcUrls { get; init; }

    /// <summary>Khronos validation layer (tests turn it on).</summary>
    public bool Validation { get; init; }

    /// <summary>Model loaded at start (catalog name).</summary>
    public string DefaultModel { get; init; } = ModelCatalog.NsfwjsName;

    /// <summary>Largest WebSocket message: a 1024x1024 RGBA8 frame plus its 4-byte header.</summary>
    public int MaxFrameBytes { get; init; } = 1024 * 1024 * 4 + FrameHeader.Bytes;

    /// <summary>Largest text (control) message.</summary>
    public int MaxTextBytes { get; init; } = 256 * 1024;

    /// <summary>Largest upload for /api/classify, the KServe infer body and a gRPC message (either way).</summary>
    public int MaxUploadBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Longest a client may take to send a request body (an upload, a KServe infer body): a slow sender is
    /// answered 408 instead of holding a connection and a buffer for as long as it likes.</summary>
    public TimeSpan BodyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest decoded upload, in pixels (a tiny PNG can claim a huge size).</summary>
    public long MaxUploadPixels { get; init; } = 40_000_000;

    /// <summary>WebSocket clients served at once; one more gets an error and is closed.</summary>
    public int MaxClients { get; init; } = 16;

    /// <summary>Teaching limits per page session: classes, and samples per class. With the sessions kept, at most
    /// 16 x 10 x 100 feature vectors of 1280 floats (80 MiB) are held.</summary>
    public int MaxClasses { get; init; } = 10;
    public int MaxSamplesPerClass { get; init; } = 100;

    /// <summary>Page sessions whose teaching state is kept across reconnects.</summary>
    public int MaxTeachSessions { get; init; } = 16;

    /// <summary>How the inference API serves each model (batching, queue, sessions, timeout) unless a load request's
    /// config overrides it.</summary>
    public Serving.ServingOptions Serving { get; init; } = new();
}
