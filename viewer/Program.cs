using GpuMobileNet.Viewer;

// dotnet GpuMobileNet.Viewer.dll [--urls http://127.0.0.1:5000] [--models-dir DIR] [--device N] [--model NAME]
//   --soak 10000 [--model NAME]: drive frames over the WebSocket, print host RSS and device memory at start and end
//   --bench [--models a,b] [--seconds 10]: end-to-end FPS and per-stage times in headless Chromium
string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

try
{
    var repo = FindRepoRoot();
    var options = new ViewerOptions
    {
        RepoRoot = repo,
        ModelsDir = Arg("--models-dir") ?? Path.Combine(repo, "models", "user"),
        Device = Arg("--device") ?? Environment.GetEnvironmentVariable("GMN_DEVICE"),
        Validation = Environment.GetEnvironmentVariable("GMN_VALIDATION") == "1",
        DefaultModel = Arg("--model") ?? ModelCatalog.NsfwjsName,
    };
    if (Arg("--soak") is { } soakFrames)
        return await Soak.RunAsync(options, int.Parse(soakFrames), Arg("--model") ?? "mobilenet_v1_0.25_128");
    if (args.Contains("--bench"))
        return await ChromiumBench.RunAsync(options, (Arg("--models") ?? "mobilenet_v2_1.0_224,mobilenet_v1_0.5_160").Split(','), int.Parse(Arg("--seconds") ?? "10"));
    var app = ViewerApp.Build(args.Where((a, i) => !IsOurs(a) && (i == 0 || !IsOurs(args[i - 1]))).ToArray(), options);
    await app.StartAsync();
    var catalog = app.Services.GetRequiredService<ViewerState>().Catalog;
    var first = catalog.Get(options.DefaultModel); // ready before the first client
    foreach (var url in ViewerApp.Addresses(app))
    {
        Console.WriteLine($"GpuMobileNet viewer: {url}/  (model {first.Name} on {catalog.Device})");
        if (!ViewerApp.IsLoopback(url))
            Console.WriteLine($"warning: {url} is not a loopback address: anyone who can reach this machine can use the camera page and the inference API");
    }
    Console.WriteLine($"models folder (ONNX, TFLite, TF.js model.json files): {options.ModelsDir}");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (Environment.GetEnvironmentVariable("GMN_DEBUG") != "1")
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static bool IsOurs(string a) => a is "--models-dir" or "--device" or "--model" or "--models" or "--seconds" or "--soak";

static string FindRepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuMobileNet.sln")))
                return dir.FullName;
    throw new InvalidOperationException("cannot find the repository (GpuMobileNet.sln) above the working directory or the program");
}
