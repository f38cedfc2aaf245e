using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GpuMobileNet.Viewer;
using NUnit.Framework;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The viewer's command line is parsed as gmn's is: --help prints the options and starts nothing, an unknown
/// option is refused with exit 2 instead of being ignored with the options after it; --api-only serves the inference
/// API without the page.</summary>
public class ViewerCommandLineTests
{
    private static (int ExitCode, string StdOut, string StdErr) RunViewer(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ViewerServer.RepoRoot };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GpuMobileNet.Viewer.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Only a hang is caught: --help and a refused option never start the server.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"viewer {string.Join(' ', args)} did not exit: it started serving");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Test]
    public void HelpPrintsTheOptionsAndServesNothing()
    {
        var r = RunViewer("--help");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        Assert.That(r.StdOut, Does.Contain("--api-only").And.Contain("--models-dir").And.Contain("--urls"));
    }

    [Test]
    public void UnknownOptionIsRefusedWithExitTwo()
    {
        var r = RunViewer("--bogus", "--urls", "http://127.0.0.1:5082");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.StdErr, Does.Contain("--bogus"));
    }

    [Test]
    public void MissingDataDirIsOneLineError()
    {
        var r = RunViewer("--data-dir", "/no/such/folder");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.StdErr.Trim(), Does.StartWith("viewer: error: ").And.Contain("/no/such/folder").And.Not.Contain("\n"));
    }

    [TestCase("0")]
    [TestCase("-5")]
    public void AQueueByteBoundOutOfRangeIsOneLineError(string mib)
    {
        var r = RunViewer("--max-queue-mib", mib, "--urls", "http://127.0.0.1:5084");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.StdErr.Trim(), Does.StartWith("viewer: error: serving options: max queue bytes").And.Contain("expected 1..2^40").And.Not.Contain("\n"));
    }

    [Test]
    public void APathBaseWithoutLeadingSlashIsOneLineError()
    {
        var r = RunViewer("--path-base", "gmn/", "--urls", "http://127.0.0.1:5083");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.StdErr.Trim(), Does.StartWith("viewer: error: --path-base 'gmn/'").And.Not.Contain("\n"));
    }

    [Test]
    public async Task ApiOnlyServesTheApiWithoutThePage()
    {
        using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = ViewerServer.RepoRoot, Validation = true, ApiOnly = true, DefaultModel = "mobilenet_v1_0.25_128" });
        using var http = new HttpClient { BaseAddress = server.Url };
        Assert.That((await http.GetAsync("v2/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync("v2/models/mobilenet_v1_0.25_128")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync("index.html")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await http.GetAsync("api/models")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(server.ValidationMessages(), Is.Empty);
    }
    [Test]
    public async Task ABodyTimeoutFromTheCommandLineAnswersASlowSender408()
    {
        // The option as the command line parses it, then a server with those options: a raw socket sends the headers and
        // 10 of its 100 body bytes, then stalls; the answer is 408 naming the parsed limit and what came.
        ViewerOptions? parsed = null;
        var command = ViewerCommandLine.Create((_, options) => { parsed = options; return Task.FromResult(0); });
        int exit = await ViewerCommandLine.InvokeAsync(command, ["--body-timeout-ms", "700", "--api-only", "--data-dir", ViewerServer.RepoRoot]);
        Assert.That((exit, parsed?.BodyTimeout), Is.EqualTo((0, (TimeSpan?)TimeSpan.FromMilliseconds(700))));
        using var server = ViewerServer.Start(parsed! with { Validation = true });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Url.Host, server.Url.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /v2/models/mobilenet_v1_0.25_128/infer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"inputs\":"));
        var reply = new byte[4096];
        int n = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var text = Encoding.ASCII.GetString(reply, 0, n);
        Assert.That(text, Does.StartWith("HTTP/1.1 408"));
        Assert.That(text, Does.Contain("request body not received within 700 ms (10 of 100 bytes came)"));
        Assert.That(server.ValidationMessages(), Is.Empty);
    }

    [TestCase("0")]
    [TestCase("90000000")]
    public void ABodyTimeoutOutOfRangeIsOneLineError(string ms)
    {
        var r = RunViewer("--body-timeout-ms", ms, "--urls", "http://127.0.0.1:5085");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.StdErr.Trim(), Does.Contain("--body-timeout-ms").And.Not.Contain("\n"));
    }
}
