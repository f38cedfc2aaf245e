using NUnit.Framework;
using OpenQA.Selenium.Chrome;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>Headless Chromium for the page's tests (Debian's chromium + chromium-driver, installed by scripts/setup),
/// its camera a fake device playing a Y4M clip, and a poll for what the page exposes on window.</summary>
internal static class Chromium
{
    private const string Binary = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    /// <summary>Starts Chromium at <paramref name="width"/> x <paramref name="height"/> with <paramref name="clip"/> as its camera.</summary>
    public static ChromeDriver Start(string clip, int width = 1200, int height = 760)
    {
        foreach (var file in new[] { Binary, Driver })
            if (!File.Exists(file)) Assert.Fail($"{file} is missing: run scripts/setup (apt packages chromium chromium-driver)");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Binary };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", $"--window-size={width},{height}",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={clip}",
            "--autoplay-policy=no-user-gesture-required");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs <paramref name="script"/> every 100 ms until it returns non-null (then converted), failing after
    /// <paramref name="patience"/> with the page's errors and status: a hang guard on a busy machine.</summary>
    public static T WaitFor<T>(ChromeDriver page, string what, string script, Func<object, T> convert, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var value = page.ExecuteScript(script);
            if (value is not null) return convert(value);
            Thread.Sleep(100);
        }
        var state = page.ExecuteScript("return JSON.stringify({errors: gmn.errors, detectErrors: window.gmnDetect && gmnDetect.errors, " +
            "status: document.getElementById('status').textContent, teach: document.getElementById('teach-status').textContent, results: gmn.results, source: gmn.source, mode: gmn.mode});");
        Assert.Fail($"waited {patience.TotalSeconds} s for {what}; page: {state}");
        return default!;
    }
}
