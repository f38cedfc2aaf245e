using System.Text.Json.Nodes;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The page's detection mode in headless Chromium with the cat clip as its fake camera: once "detect objects"
/// is ticked, replies arrive, the cat is boxed, an FPS is shown and the overlay is drawn (screenshot attached).</summary>
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
