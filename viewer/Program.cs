using GpuMobileNet.Viewer;

// The viewer's command line (dotnet GpuMobileNet.Viewer.dll --help): the page and the KServe v2 API, or the API alone
// (--api-only), a soak (--soak N) or the browser benchmark (--bench). Unknown options are refused (exit 2).
var command = ViewerCommandLine.Create(async (run, options) =>
{
    if (run.SoakFrames is { } frames)
        return await Soak.RunAsync(options, frames, run.SoakModel);
    if (run.Bench)
        return await ChromiumBench.RunAsync(options, run.BenchModels, run.BenchSeconds);
    var app = ViewerApp.Build(run.HostArgs, options);
    await app.StartAsync();
    var state = app.Services.GetRequiredService<ViewerState>();
    var catalog = state.Catalog;
    // The page's model is ready before the first client; the API's loads in the background (health says when it is ready).
    var first = run.Preload && !options.ApiOnly ? $"model {catalog.Get(options.DefaultModel).Name} on " : "";
    if (run.Preload && options.ApiOnly)
    {
        state.Repository.Require(options.DefaultModel);
        first = $"loading {options.DefaultModel} on ";
    }
    foreach (var url in ViewerApp.Addresses(app))
    {
        Console.WriteLine(options.ApiOnly
            ? $"GpuMobileNet inference API (KServe v2): {url}/v2  ({first}{catalog.Device})"
            : $"GpuMobileNet viewer: {url}{options.PathBase}/  ({first}{catalog.Device})");
        if (!ViewerApp.IsLoopback(url))
            Console.WriteLine($"warning: {url} is not a loopback address: anyone who can reach this machine can use the inference API{(options.ApiOnly ? "" : " and the camera page")}");
    }
    foreach (var url in ViewerApp.GrpcAddresses(app))
    {
        Console.WriteLine($"GpuMobileNet inference API (KServe v2 gRPC, HTTP/2 cleartext): {url}");
        if (!ViewerApp.IsLoopback(url)) Console.WriteLine($"warning: {url} is not a loopback address: anyone who can reach this machine can use the gRPC inference API");
    }
    Console.WriteLine($"models folder (ONNX, TFLite, TF.js model.json, ncnn .param files): {options.ModelsDir}");
    await app.WaitForShutdownAsync();
    return 0;
});
return await ViewerCommandLine.InvokeAsync(command, args);
