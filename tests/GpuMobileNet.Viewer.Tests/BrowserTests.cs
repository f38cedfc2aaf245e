using System.Text.Json.Nodes;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The page in real headless Chromium (Debian's chromium + chromium-driver, installed by scripts/setup), its
/// camera a fake device playing Y4M clips made here from the sample photos. Predictions must appear and equal the
/// CLI's on the very frame the page sent; teaching "cat" from the cat clip and "coffee" from the coffee clip (in two
/// browser runs sharing one page session) must then classify each clip as its class. Saves a screenshot (docs/viewer.png with GMN_UPDATE_DOCS=1).</summary>
[NonParallelizable]
public class BrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120); // how long to wait for the page: a hang guard on a busy machine

    [Test]
    public void PredictsLikeTheCliThenLearnsTwoClassesFromTwoClips()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-clips-").FullName;
        try
        {
            var cat = Y4mClip.Write(dir, ViewerServer.Photo("chelsea.png"));
            var coffee = Y4mClip.Write(dir, ViewerServer.Photo("coffee.png"));
            var session = "browser-test-" + Guid.NewGuid().ToString("N")[..8];

            using (var page = Open(cat, session))
            {
                var pair = WaitFor(page, "a prediction", "return gmn.results >= 3 ? gmnPair() : null;", JsToPair);
                var frame = ViewerClient.FromRgba(pair.Frame, pair.Width, pair.Height);
                FrameSocketTests.AssertMatchesCli(pair.Result, frame);
                var fps = Convert.ToDouble(page.ExecuteScript("return gmn.fps;"));
                Assert.That(fps, Is.GreaterThan(0), "FPS shown");
                Capture(page, "cat", 30);
            }
            using (var page = Open(coffee, session))
            {
                Capture(page, "coffee", 30);
                page.ExecuteScript("gmn.train();");
                WaitFor(page, "the head to train", "return gmn.trained;", o => o);
                AssertClassified(page, "coffee");
                // Into the test's output (TestContext attachments); GMN_UPDATE_DOCS=1 refreshes the README's docs/viewer.png
                // as well, so a plain test run leaves the working tree as it found it.
                var shot = ((ITakesScreenshot)page).GetScreenshot();
                var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer.png");
                shot.SaveAsFile(file);
                TestContext.AddTestAttachment(file, "the viewer after teaching two classes");
                if (Environment.GetEnvironmentVariable("GMN_UPDATE_DOCS") == "1")
                    shot.SaveAsFile(Path.Combine(ViewerServer.RepoRoot, "docs", "viewer.png"));
            }
            using (var page = Open(cat, session))
                AssertClassified(page, "cat");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static ChromeDriver Open(string clip, string session)
    {
        var driver = Chromium.Start(clip);
        try
        {
            driver.Navigate().GoToUrl(new Uri(ViewerServer.Instance.Url, $"?session={session}&mode=classify"));
            driver.ExecuteScript("""
                window.gmnPair = () => {
                  const p = gmn.pair; if (!p || !p.frame) return null;
                  let s = ''; const f = p.frame;
                  for (let i = 0; i < f.length; i += 8192) s += String.fromCharCode.apply(null, f.subarray(i, i + 8192));
                  return { width: p.width, height: p.height, frame: btoa(s), result: JSON.stringify(p.result) };
                };
                """);
            return driver;
        }
        catch
        {
            driver.Quit();
            throw;
        }
    }

    private static void Capture(ChromeDriver page, string label, int frames)
    {
        WaitFor(page, "frames to flow", "return gmn.results >= 1 ? true : null;", o => o);
        page.ExecuteScript($"gmn.capture('{label}', {frames});");
        WaitFor(page, $"{frames} frames of '{label}'",
            $"const r = gmn.lastResult; return r && r.samples && r.samples['{label}'] >= {frames} ? true : null;", o => o);
    }

    /// <summary>Five results in a row from the taught head name <paramref name="label"/>.</summary>
    private static void AssertClassified(ChromeDriver page, string label)
    {
        WaitFor(page, "taught predictions", "return gmn.lastResult && gmn.lastResult.source === 'taught' ? true : null;", o => o);
        long start = Convert.ToInt64(page.ExecuteScript("return gmn.results;"));
        var seen = new List<string>();
        while (seen.Count < 5)
        {
            var json = WaitFor(page, "the next result", $"return gmn.results > {start + seen.Count} ? JSON.stringify(gmn.lastResult) : null;", o => (string)o);
            var r = (JsonObject)JsonNode.Parse(json)!;
            seen.Add((string)r["top"]![0]!["label"]!);
        }
        Assert.That(seen, Is.All.EqualTo(label), $"taught head on the {label} clip: {string.Join(", ", seen)}");
    }

    private sealed record FramePair(int Width, int Height, byte[] Frame, JsonObject Result);

    private static FramePair JsToPair(object o)
    {
        var d = (IReadOnlyDictionary<string, object>)o;
        return new FramePair(Convert.ToInt32(d["width"]), Convert.ToInt32(d["height"]), Convert.FromBase64String((string)d["frame"]),
            (JsonObject)JsonNode.Parse((string)d["result"])!);
    }

    private static T WaitFor<T>(ChromeDriver page, string what, string script, Func<object, T> convert) =>
        Chromium.WaitFor(page, what, script, convert, Patience);
}
