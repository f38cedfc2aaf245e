using System.Text.Json.Nodes;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The page's detection mode in headless Chromium with the cat clip as its fake camera: once "detect objects"
/// is ticked, replies arrive, the cat is boxed, an FPS is shown and the overlay strokes the cat's box (screenshot attached).</summary>
[NonParallelizable]
public class DetectBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180); // a hang guard on a busy machine

    [Test]
    public void BoxesTheCatOverTheLiveClip()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-detect-").FullName;
        try
        {
            var clip = Y4mClip.Write(dir, ViewerServer.Photo("chelsea.png"));
            using var page = Chromium.Start(clip);
            page.Navigate().GoToUrl(ViewerServer.Instance.Url);
            page.ExecuteScript("document.getElementById('detect').click();"); // the default mode: clicking keeps it on
            var deadline = DateTime.UtcNow + Patience;
            JsonObject? state = null;
            while (DateTime.UtcNow < deadline)
            {
                var json = (string?)page.ExecuteScript("return JSON.stringify(window.gmnDetect);") ?? "{\"frames\": 0}";
                state = (JsonObject)JsonNode.Parse(json)!;
                if ((int)state["frames"]! >= 3) break;
                Thread.Sleep(200);
            }
            Assert.That((int?)state?["frames"], Is.GreaterThanOrEqualTo(3), $"detection replies: {state?.ToJsonString()}");
            var labels = state!["last"]!["detections"]!.AsArray().Select(d => (string?)d!["label"]).ToList();
            Assert.That(labels, Does.Contain("Cat"), state.ToJsonString());
            double fps = (double)state["fps"]!;
            Assert.That(fps, Is.GreaterThan(0));
            Assert.That(page.ExecuteScript("return !document.getElementById('detect-overlay').hidden;"), Is.EqualTo(true), "overlay drawn");
            // The overlay shows the reply it says it shows: the cat's box's left edge is stroked over its height. One script,
            // so no reply lands between reading the box and reading the pixels.
            var edge = Convert.ToDouble(page.ExecuteScript("""
                const o = document.getElementById('detect-overlay'), cat = gmnDetect.last.detections.find(d => d.label === 'Cat');
                const x = Math.min(o.width - 1, Math.max(0, Math.round(cat.box[0] * o.width)));
                const y0 = Math.round(cat.box[1] * o.height) + 20, y1 = Math.round(cat.box[3] * o.height) - 2;
                const a = o.getContext('2d').getImageData(x, y0, 1, Math.max(1, y1 - y0)).data;
                let opaque = 0;
                for (let i = 3; i < a.length; i += 4) if (a[i] > 0) opaque++;
                return opaque / (a.length / 4);
                """));
            Assert.That(edge, Is.GreaterThan(0.9), "fraction of the cat box's left edge stroked on the overlay");
            TestContext.Out.WriteLine($"detection mode: {fps:F2} FPS; last reply {state["last"]!.ToJsonString()}");
            var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer-detect.png");
            ((ITakesScreenshot)page).GetScreenshot().SaveAsFile(file);
            TestContext.AddTestAttachment(file, "the viewer's detection mode on the cat clip");
            page.Quit();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
