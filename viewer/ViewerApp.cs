using System.Net;
using GpuMobileNet.Vulkan;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;

namespace GpuMobileNet.Viewer;

/// <summary>Builds the viewer's web application: static page (wwwroot), /ws frames, /api (models, upload, photos for the
/// test clip) and the KServe v2 API. Binds 127.0.0.1:5000 unless --urls (or ASPNETCORE_URLS) says otherwise.</summary>
public static class ViewerApp
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>The gRPC address the help suggests (gRPC is off unless asked for).</summary>
    public const string DefaultGrpcUrl = "http://127.0.0.1:5001";

    public static WebApplication Build(string[] args, ViewerOptions options, Action<string>? log = null)
    {
        log ??= Console.WriteLine;
        if (options.PathBase is { } p && (!p.StartsWith('/') || p.EndsWith('/') || p.Contains("//")))
            throw new ArgumentException($"--path-base '{p}': expected a prefix such as /gmn (a leading slash, none at the end)");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, WebRootPath = WebRoot(options),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes + 1);

        var device = VulkanDevice.Open(new DeviceOptions { Device = options.Device, Validation = options.Validation });
        var catalog = new ModelCatalog(options, device);
        var repository = new Serving.ModelRepository(catalog, device, options.Serving, options.RepoRoot, options.ModelsDir);
        var state = new ViewerState(options, catalog, repository, log);
        builder.Services.AddSingleton(state);
        if (options.GrpcUrls is { } grpcUrls)
        {
            builder.Services.AddSingleton(new Grpc.GrpcHost(state, grpcUrls));
            builder.Services.AddHostedService(s => s.GetRequiredService<Grpc.GrpcHost>());
        }
        var app = builder.Build();
        var detect = new DetectEndpoint(state, device);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            detect.Dispose();
            repository.Dispose();
            catalog.Dispose();
            device.Dispose();
        });

        if (options.PathBase is { } pathBase) UsePathBase(app, pathBase);
        if (!options.ApiOnly) MapPage(app, options, state, detect);
        KServeApi.Map(app, state);
        return app;
    }

    /// <summary>The page and what only it uses: static files, /ws frames, uploads, detection, photos for the test clip.</summary>
    private static void MapPage(WebApplication app, ViewerOptions options, ViewerState state, DetectEndpoint detect)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var photos = Path.Combine(options.RepoRoot, "models", "cache", "photos");
        if (Directory.Exists(photos))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(photos), RequestPath = "/photos" });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error = "/ws takes WebSocket connections" });
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            if (!state.TryAddClient())
            {
                var error = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { type = "error", error = $"the viewer serves at most {options.MaxClients} clients at once" });
                await socket.SendAsync(error, System.Net.WebSockets.WebSocketMessageType.Text, true, context.RequestAborted);
                await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "too many clients", context.RequestAborted);
                return;
            }
            try { await new FrameSocket(socket, state, context.Request.Query["session"].FirstOrDefault(), context.Request.Query["model"].FirstOrDefault()).RunAsync(context.RequestAborted); }
            finally { state.RemoveClient(); }
        });
        app.MapGet("/api/models", () => Results.Json(new { models = state.Catalog.Names(), @default = options.DefaultModel, device = state.Catalog.Device.ToString() }));
        app.MapGet("/api/photos", () => Results.Json(Directory.Exists(photos)
            ? Directory.EnumerateFiles(photos).Select(Path.GetFileName).Where(n => n!.EndsWith(".png") || n.EndsWith(".jpg")).Order().ToArray()
            : []));
        app.MapPost("/api/classify", (HttpRequest request) => UploadEndpoint.HandleAsync(request, state));
        TeachEndpoints.Map(app, state);
        app.MapPost("/api/detect", (HttpRequest request) => detect.HandleAsync(request));
        app.MapPost("/api/bench", async (HttpRequest request) =>
        {
            if (state.BenchReport is not { } report) return Results.NotFound(new { error = "not running --bench" });
            var (body, tooBig) = await UploadEndpoint.ReadBodyAsync(request, options.MaxTextBytes);
            if (tooBig || System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject json)
                return Results.BadRequest(new { error = "bench report must be a JSON object" });
            report(json);
            return Results.Ok();
        });
    }

    /// <summary>Serves under <paramref name="pathBase"/> as well as at the root. The bare prefix redirects to the prefix
    /// with a slash, so the page's relative paths (api/..., ws) resolve under it.</summary>
    private static void UsePathBase(WebApplication app, string pathBase)
    {
        app.UsePathBase(pathBase);
        app.Use((context, next) =>
        {
            if (context.Request.PathBase == pathBase && !context.Request.Path.HasValue)
            {
                context.Response.Redirect(pathBase + "/" + context.Request.QueryString);
                return Task.CompletedTask;
            }
            return next(context);
        });
    }

    /// <summary>A published app carries wwwroot beside itself; a build in the checkout serves viewer/wwwroot.</summary>
    private static string WebRoot(ViewerOptions options)
    {
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(published) ? published : Path.Combine(options.RepoRoot, "viewer", "wwwroot");
    }

    /// <summary>The addresses the gRPC API listens on, once started (none without --grpc-urls).</summary>
    public static IReadOnlyList<string> GrpcAddresses(WebApplication app) => app.Services.GetService<Grpc.GrpcHost>()?.Addresses ?? [];

    /// <summary>The addresses the server listens on, once started.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>True for localhost, 127.0.0.0/8 and ::1.</summary>
    public static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri)) return false;
        if (uri.Host == "localhost") return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
