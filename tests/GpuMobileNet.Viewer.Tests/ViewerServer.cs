using GpuMobileNet.Viewer;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The viewer, in this process, on a free loopback port, with the Vulkan validation layer on. One server for
/// the whole run (opened by the first test that needs it); any validation message fails the run at the end.</summary>
[SetUpFixture]
public sealed class ViewerServer
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The prefix the shared server also serves under (the page's test opens it there).</summary>
    public const string PathBase = "/gmn";

    private static readonly Lazy<Running> Shared = new(() => Start(new ViewerOptions { RepoRoot = RepoRoot, Validation = true, PathBase = PathBase }));

    public static Running Instance => Shared.Value;

    public static string Photo(string name)
    {
        var path = Path.Combine(RepoRoot, "models", "cache", "photos", name);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/setup");
        return path;
    }

    public static Running Start(ViewerOptions options)
    {
        var app = ViewerApp.Build(["--urls", "http://127.0.0.1:0"], options, _ => { });
        app.StartAsync().GetAwaiter().GetResult();
        var url = ViewerApp.Addresses(app).Single();
        return new Running(app, new Uri(url + "/"));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        if (!Shared.IsValueCreated) return;
        CliReference.Dispose();
        var messages = Shared.Value.ValidationMessages();
        Shared.Value.Dispose();
        Assert.That(messages, Is.Empty, "Vulkan validation layer reported:\n" + string.Join("\n", messages));
    }

    public sealed class Running(WebApplication app, Uri url) : IDisposable
    {
        public WebApplication App { get; } = app;
        public Uri Url { get; } = url;
        public Uri WebSocketUrl => new(Url.ToString().Replace("http://", "ws://") + "ws");
        public ViewerState State => (ViewerState)App.Services.GetService(typeof(ViewerState))!;
        public IReadOnlyList<string> ValidationMessages() => State.Catalog.Device.ValidationMessages;

        public void Dispose()
        {
            App.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)App).Dispose();
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuMobileNet.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no GpuMobileNet.sln above {AppContext.BaseDirectory}");
    }
}
