using System.CommandLine;

namespace GpuMobileNet.Viewer;

/// <summary>What one start of the viewer was asked to do, beyond the <see cref="ViewerOptions"/>.</summary>
/// <param name="HostArgs">Arguments for ASP.NET Core's host (the listen address as --urls).</param>
/// <param name="Preload">Load the default model before serving (the page shows it first; the API alone loads on demand
/// unless --model names one).</param>
internal sealed record ViewerRun(string[] HostArgs, bool Preload, int? SoakFrames, string SoakModel, bool Bench, IReadOnlyList<string> BenchModels, int BenchSeconds);

/// <summary>Parses the viewer's options as gmn parses its own (System.CommandLine): --help prints them, an unknown
/// option or a bad value is a one-line error with exit code 2, and each option also has an environment variable so a
/// container or a KServe ServingRuntime can set it.</summary>
internal static class ViewerCommandLine
{
    public static RootCommand Create(Func<ViewerRun, ViewerOptions, Task<int>> action)
    {
        var urls = new Option<string?>("--urls") { Description = $"listen address(es), ';'-separated (env ASPNETCORE_URLS; default {ViewerApp.DefaultUrl})" };
        var modelsDir = new Option<string?>("--models-dir") { Description = "folder of user models (ONNX, TFLite, TF.js model.json, each with an optional labels.txt) (env GMN_MODELS_DIR; default: models/user in the data folder)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "folder holding models/cache (weights, photos) and models/nsfwjs_labels.txt (env GMN_DATA_DIR; default: the repository checkout, else the program's folder)" };
        var device = new Option<string?>("--device") { Description = "Vulkan device index or name (env GMN_DEVICE)" };
        var model = new Option<string?>("--model") { Description = "model loaded at start (a catalog name; default: the nsfwjs MobileNetV2)" };
        var pathBase = new Option<string?>("--path-base") { Description = "URL prefix to serve under, e.g. /gmn behind a reverse proxy (env GMN_PATH_BASE; requests without it are served too)" };
        var grpcUrls = new Option<string?>("--grpc-urls") { Description = $"serve the KServe v2 gRPC API too, on these address(es), HTTP/2 cleartext, ';'-separated (env GMN_GRPC_URLS; e.g. {ViewerApp.DefaultGrpcUrl}; default: none)" };
        var apiOnly = new Option<bool>("--api-only") { Description = "serve the inference API (KServe v2 REST) without the page, WebSocket and upload endpoints" };
        var soak = new Option<int?>("--soak") { Description = "drive N frames over the WebSocket in this process and print memory at start and end" };
        var bench = new Option<bool>("--bench") { Description = "end-to-end FPS and per-stage times in headless Chromium" };
        var models = new Option<string>("--models") { Description = $"with --bench: comma-separated catalog names; '{ChromiumBench.DetectEntry}' measures the page's detection mode ('{ChromiumBench.DetectSerialEntry}': one frame in flight)", DefaultValueFactory = _ => "mobilenet_v2_1.0_224,mobilenet_v1_0.5_160" };
        var bodyTimeout = new Option<double?>("--body-timeout-ms") { Description = "longest a client may take to send a request body (REST) or message (gRPC); a slower one is answered 408 / DEADLINE_EXCEEDED (env GMN_BODY_TIMEOUT_MS; default 30000)" };
        var seconds = new Option<int>("--seconds") { Description = "with --bench: seconds measured per model", DefaultValueFactory = _ => 10 };
        var serving = new ServingCommandLine();
        var root = new RootCommand("GpuMobileNet viewer: the webcam page and the KServe v2 inference API")
            { urls, grpcUrls, modelsDir, dataDir, device, model, pathBase, apiOnly, bodyTimeout, soak, bench, models, seconds };
        root.SetAction(async (r, _) =>
        {
            if (r.GetValue(soak) is < 1) throw new ArgumentException("--soak must be at least 1 frame");
            if (r.GetValue(seconds) < 1) throw new ArgumentException("--seconds must be at least 1");
            var data = r.GetValue(dataDir) ?? Env("GMN_DATA_DIR") ?? DefaultDataDir();
            if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"--data-dir '{data}': folder not found");
            var options = new ViewerOptions
            {
                RepoRoot = data,
                ModelsDir = r.GetValue(modelsDir) ?? Env("GMN_MODELS_DIR") ?? Path.Combine(data, "models", "user"),
                Device = r.GetValue(device) ?? Env("GMN_DEVICE"),
                Validation = Environment.GetEnvironmentVariable("GMN_VALIDATION") == "1",
                DefaultModel = r.GetValue(model) ?? ModelCatalog.NsfwjsName,
                ApiOnly = r.GetValue(apiOnly),
                PathBase = r.GetValue(pathBase) ?? Env("GMN_PATH_BASE"),
                GrpcUrls = r.GetValue(grpcUrls) ?? Env("GMN_GRPC_URLS"),
            };
            options = options with { Serving = serving.Read(r) };
            if (BodyTimeout(r.GetValue(bodyTimeout), Env("GMN_BODY_TIMEOUT_MS")) is { } timeout) options = options with { BodyTimeout = timeout };
            string[] hostArgs = r.GetValue(urls) is { } u ? ["--urls", u] : [];
            var run = new ViewerRun(hostArgs, !options.ApiOnly || r.GetValue(model) is not null, r.GetValue(soak), r.GetValue(model) ?? "mobilenet_v1_0.25_128", r.GetValue(bench),
                r.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), r.GetValue(seconds));
            return await action(run, options);
        });
        foreach (var option in serving.Options) root.Options.Add(option);
        return root;
    }

    /// <summary>Runs the command: 0 ok, 1 the server failed (one line), 2 a wrong command line.</summary>
    public static async Task<int> InvokeAsync(RootCommand command, string[] args)
    {
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"viewer: usage: {error.Message}");
            Console.Error.WriteLine("viewer: see --help");
            return 2;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("GMN_DEBUG") != "1")
        {
            Console.Error.WriteLine($"viewer: error: {e.Message.ReplaceLineEndings(" ")}");
            return e is ArgumentException or DirectoryNotFoundException ? 2 : 1;
        }
    }

    /// <summary>--body-timeout-ms, else GMN_BODY_TIMEOUT_MS, else null (ViewerOptions' default); out of 1 ms .. 1 day is a
    /// one-line error.</summary>
    private static TimeSpan? BodyTimeout(double? option, string? env)
    {
        if (option is null && env is null) return null;
        double ms = option ?? (double.TryParse(env, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : double.NaN);
        string source = option is null ? $"GMN_BODY_TIMEOUT_MS '{env}'" : $"--body-timeout-ms {option}";
        if (!(ms >= 1 && ms <= 86_400_000)) throw new ArgumentException($"{source}: expected milliseconds from 1 to 86400000 (a day)");
        return TimeSpan.FromMilliseconds(ms);
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>The checkout this program was built in (scripts/viewer), else the program's own folder (a published app
    /// carries models/nsfwjs_labels.txt and fetches nothing: its models come from --models-dir).</summary>
    private static string DefaultDataDir()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GpuMobileNet.sln")))
                    return dir.FullName;
        return AppContext.BaseDirectory;
    }
}
