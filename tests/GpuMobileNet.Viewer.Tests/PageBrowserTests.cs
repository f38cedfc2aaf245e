using System.Text.Json.Nodes;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>The page as a user meets it, in headless Chromium with the cat clip as its camera, served under the
/// shared server's path prefix: on a 390x844 phone it opens on object detection, fits the width, reaches every
/// control by keyboard, passes axe-core without serious or critical violations, fetches only under the prefix and
/// charts the stages; teaching records while a button is held, renames without duplicating, adds uploaded images,
/// trains, shows held-out accuracy, survives a reconnect and a lost reply, and deletes. Without the detector the
/// page says so and classifies.</summary>
[NonParallelizable]
public class PageBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180); // a hang guard on a busy machine
    private static string AxeScript => Path.Combine(ViewerServer.RepoRoot, "models", "cache", "download", "axe-core_4.14.1", "package", "axe.min.js");

    // The controls a user needs, each of which must be on screen and reachable with Tab.
    private static readonly string[] Controls =
        ["detect", "classify", "model", "guided", "camera", "mirror", "use-camera", "use-clip", "upload-button", "add-class", "train", "reset",
         "export-onnx", "export-tfjs", "save-head", "load-head-button"];

    [Test]
    public void OnAPhoneItDetectsFitsPassesAxeAndStaysUnderThePrefix()
    {
        if (!File.Exists(AxeScript)) Assert.Fail($"{AxeScript} is missing: run scripts/setup (npm package axe-core)");
        var dir = Directory.CreateTempSubdirectory("gmn-page-").FullName;
        try
        {
            using var page = Chromium.Start(Y4mClip.Write(dir, ViewerServer.Photo("chelsea.png")));
            // A phone: mobile emulation honours the viewport meta (without it the layout would be 980 px wide).
            page.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
                { ["width"] = 390, ["height"] = 844, ["deviceScaleFactor"] = 1, ["mobile"] = true });
            page.Navigate().GoToUrl(new Uri(ViewerServer.Instance.Url, $"{ViewerServer.PathBase.TrimStart('/')}/?session=page-{Guid.NewGuid():N}"));
            Wait(page, "the cat detected and announced",
                "return gmnDetect.frames >= 3 && document.getElementById('summary').textContent.includes('Cat') ? true : null;");
            Assert.That(page.ExecuteScript("return document.getElementById('summary').getAttribute('aria-live');"), Is.EqualTo("polite"));

            var layout = Json(page, """
                return JSON.stringify({ width: innerWidth, scroll: document.documentElement.scrollWidth,
                  off: [...arguments[0]].filter(id => { const r = document.getElementById(id).getBoundingClientRect();
                    return !(r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth); }) });
                """, (object)Controls);
            Assert.That((int)layout["width"]!, Is.EqualTo(390), "the viewport meta makes the layout phone-wide");
            Assert.That((int)layout["scroll"]!, Is.LessThanOrEqualTo(390), "no horizontal overflow");
            Assert.That(layout["off"]!.AsArray(), Is.Empty, "controls off screen or invisible");
            // Tab reaches a radio group once, at its checked radio (arrows move within it).
            Assert.That(Tabbed(page), Is.SupersetOf(Controls.Where(c => c != "classify")), "controls reached with Tab");

            page.FindElement(By.Id("mirror")).Click();
            Assert.That(page.ExecuteScript("return getComputedStyle(document.getElementById('video')).transform;"), Is.EqualTo("matrix(-1, 0, 0, 1, 0, 0)"), "mirrored preview");

            var charts = Json(page, "return JSON.stringify({ stage: gmnCharts.stage.samples.slice(-1)[0], fps: gmnCharts.fps.samples.length });");
            Assert.That(charts["stage"]!.AsObject().Select(kv => kv.Key), Is.EquivalentTo(new[] { "receive", "wait", "preprocess", "inference", "post", "other" }));
            Assert.That((double)charts["stage"]!["inference"]!, Is.GreaterThan(0));
            Assert.That((int)charts["fps"]!, Is.GreaterThanOrEqualTo(2));

            var origin = ViewerServer.Instance.Url.GetLeftPart(UriPartial.Authority);
            var fetched = Json(page, "return JSON.stringify({ urls: performance.getEntriesByType('resource').map(e => e.name), socket: gmn.socketUrl });");
            var urls = fetched["urls"]!.AsArray().Select(u => (string)u!).ToList();
            Assert.That(urls, Has.Some.Contains("/api/detect"), "the page's requests were recorded");
            Assert.That(urls, Is.All.StartsWith($"{origin}{ViewerServer.PathBase}/"), "every request stays under the prefix");
            Assert.That((string?)fetched["socket"], Does.StartWith($"{origin.Replace("http://", "ws://")}{ViewerServer.PathBase}/ws?"));

            var violations = Axe(page);
            Assert.That(violations, Is.Empty, "axe-core serious or critical violations: " + new JsonArray(violations.ToArray()).ToJsonString());
            page.ExecuteScript("document.activeElement.blur(); window.scrollTo(0, 0);");
            Attach(page, "viewer-phone.png", "the viewer on a 390x844 phone, detecting");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void TeachingRecordsWhileHeldRenamesAddsImagesTrainsSurvivesAReconnectAndDeletes()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-teach-").FullName;
        try
        {
            var images = new[] { "coffee.png", "astronaut.png", "rocket.jpg", "camera.png", "coffee.png" }
                .Select((p, i) => { var f = Path.Combine(dir, $"{i}-{p}"); File.Copy(ViewerServer.Photo(p), f); return f; }).ToArray();
            using var page = Chromium.Start(Y4mClip.Write(dir, ViewerServer.Photo("chelsea.png")));
            page.Navigate().GoToUrl(new Uri(ViewerServer.Instance.Url, $"{ViewerServer.PathBase.TrimStart('/')}/?session=teach-{Guid.NewGuid():N}&model=mobilenet_v1_0.25_128&frameTimeout=3000"));
            page.FindElement(By.Id("guided")).Click();
            Wait(page, "classify frames", "return gmn.mode === 'classify' && gmn.model && gmn.model.name === 'mobilenet_v1_0.25_128' && gmn.results >= 2 ? true : null;");

            int recorded = RecordWhileHeld(page);
            RenameWithoutDuplicates(page, recorded);
            RecordFromTheKeyboard(page, recorded);
            page.ExecuteScript("document.querySelectorAll('.class-row input[type=file]')[1].hidden = false;"); // WebDriver types into visible inputs only
            page.FindElements(By.CssSelector(".class-row input[type=file]"))[1].SendKeys(string.Join("\n", images));
            Wait(page, "5 images added", "return gmn.lastResult.samples['class 2'] === 5 ? true : null;");
            Assert.That(Thumbs(page, 1), Is.EqualTo(5));

            page.FindElement(By.Id("train")).Click();
            Wait(page, "training", "return gmn.trained && gmn.lastResult.source === 'taught' ? true : null;");
            Assert.That(page.FindElement(By.Id("teach-report")).Text, Does.Match(@"held-out accuracy \d+%"));
            // A reply to the last uploaded image may still arrive after training: wait for the clip's frames.
            Wait(page, "the taught head to name the cat clip 'cat'", "return gmn.lastResult.source === 'taught' && gmn.lastResult.top[0].label === 'cat' ? true : null;");
            AssertConfusionTable(page);

            page.FindElement(By.Id("export-onnx")).Click();
            Wait(page, "the export's answer", "return /exported ONNX|404/.test(document.getElementById('teach-status').textContent) ? true : null;");

            page.ExecuteScript("ws.close();");
            Wait(page, "a reconnect", "return gmn.reconnects === 1 && gmn.model ? gmn.results : null;");
            AfterResults(page, 2);
            Assert.That(page.ExecuteScript("return gmn.lastResult.source + ' ' + gmn.lastResult.model;"), Is.EqualTo("taught mobilenet_v1_0.25_128"),
                "the reconnected socket keeps the model and the taught head");

            // A reply that never comes: the frame is given up after frameTimeout and the next one goes.
            page.ExecuteScript("""
                const deliver = ws.onmessage; let lost = false;
                ws.onmessage = e => { if (!lost && JSON.parse(e.data).type === 'result') { lost = true; return; } deliver(e); };
                """);
            Wait(page, "a frame timed out", "return gmn.timeouts >= 1 ? gmn.results : null;");
            AfterResults(page, 2);

            page.FindElements(By.CssSelector(".class-row .remove"))[1].Click();
            Wait(page, "the delete", "return !('class 2' in gmn.lastResult.samples) && gmn.lastResult.source === 'model' ? true : null;");
            Assert.That(page.FindElements(By.CssSelector(".class-row")), Has.Count.EqualTo(1));
            Attach(page, "viewer-teach.png", "the viewer after teaching from the page");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void WithoutTheDetectorThePageSaysSoAndClassifies()
    {
        var dir = Directory.CreateTempSubdirectory("gmn-nodetector-").FullName; // a data folder without models/cache/objectron
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "viewer"));
            Directory.CreateSymbolicLink(Path.Combine(dir, "viewer", "wwwroot"), Path.Combine(ViewerServer.RepoRoot, "viewer", "wwwroot"));
            using var server = ViewerServer.Start(new ViewerOptions { RepoRoot = dir, DefaultModel = "mobilenet_v1_0.25_128", Validation = true });
            using var page = Chromium.Start(Y4mClip.Write(dir, ViewerServer.Photo("chelsea.png")));
            page.Navigate().GoToUrl(server.Url);
            Wait(page, "classification instead", "return gmn.mode === 'classify' && gmn.results >= 2 ? true : null;");
            Assert.That(page.FindElement(By.Id("status")).Text, Does.StartWith("object detection unavailable").And.Contain("scripts/setup"));
            Assert.That(server.ValidationMessages(), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Holds class 1's record button down over a few frames: it records while held, stops on release, and
    /// shows a thumbnail per recorded frame (the last 8). Returns the frames recorded.</summary>
    private static int RecordWhileHeld(ChromeDriver page)
    {
        var record = page.FindElements(By.CssSelector(".class-row .record"))[0];
        new Actions(page).ClickAndHold(record).Perform();
        Wait(page, "6 frames recorded", "return (gmn.lastResult.samples['class 1'] || 0) >= 6 ? true : null;");
        new Actions(page).Release(record).Perform();
        Wait(page, "the recording to stop", "return document.getElementById('teach-status').textContent === 'recorded' ? true : null;");
        int recorded = Count(page, "class 1");
        AfterResults(page, 3);
        Assert.That(Count(page, "class 1"), Is.EqualTo(recorded), "nothing is recorded once the button is released");
        Assert.That(Thumbs(page, 0), Is.EqualTo(Math.Min(recorded, 8)), "a thumbnail per recorded frame (the last 8)");
        return recorded;
    }

    /// <summary>Renames recorded class 1 to "cat" (its samples follow, no row is added), then class 2 to "cat" (refused).</summary>
    private static void RenameWithoutDuplicates(ChromeDriver page, int recorded)
    {
        Rename(page, 0, "cat");
        Wait(page, "the rename", "return gmnTeach.classes.map(c => c.name).join() === 'cat,class 2' ? true : null;");
        AfterResults(page, 3);
        Assert.That(Json(page, "return JSON.stringify(gmn.lastResult.samples);").ToJsonString(), Is.EqualTo($"{{\"cat\":{recorded}}}"));
        Assert.That(page.FindElements(By.CssSelector(".class-row")), Has.Count.EqualTo(2), "renaming after recording adds no row");
        Rename(page, 1, "cat");
        Wait(page, "the refusal", "return document.getElementById('teach-status').textContent.includes('already exists') ? true : null;");
        Assert.That(page.ExecuteScript("return gmnTeach.classes.map(c => c.name).join();"), Is.EqualTo("cat,class 2"));
    }

    /// <summary>Held with the keyboard: Space down on the focused record button records, Space up stops.</summary>
    private static void RecordFromTheKeyboard(ChromeDriver page, int recorded)
    {
        page.ExecuteScript("document.querySelectorAll('.class-row .record')[0].focus();");
        new Actions(page).KeyDown(Keys.Space).Perform();
        Wait(page, "a frame recorded from the keyboard", $"return gmn.lastResult.samples['cat'] > {recorded} ? true : null;");
        new Actions(page).KeyUp(Keys.Space).Perform();
        Wait(page, "the recording to stop", "return document.getElementById('teach-status').textContent === 'recorded' ? true : null;");
    }

    /// <summary>A trained message with a confusion matrix (the server's, where it sends one) renders as a table whose
    /// rows are the true classes.</summary>
    private static void AssertConfusionTable(ChromeDriver page)
    {
        page.ExecuteScript("gmnTeach.onMessage({ type: 'trained', kind: 'centroid', classes: ['a', 'b'], ms: 1, heldOut: { centroid: 0.75 }, confusion: [[1, 1], [0, 2]] });");
        var rows = Json(page, "return JSON.stringify([...document.querySelectorAll('#teach-report table tr')].map(r => [...r.cells].map(c => c.textContent)));");
        Assert.That(rows.ToJsonString(), Is.EqualTo("[[\"\",\"a\",\"b\"],[\"a\",\"1\",\"1\"],[\"b\",\"0\",\"2\"]]"));
        Assert.That(page.FindElement(By.Id("teach-report")).Text, Does.Contain("held-out accuracy 75%"));
    }

    private static void Rename(ChromeDriver page, int row, string name)
    {
        var input = page.FindElements(By.CssSelector(".class-row input[type=text]"))[row];
        input.SendKeys(Keys.Control + "a");
        input.SendKeys(name + Keys.Tab);
    }

    private static int Count(ChromeDriver page, string label) =>
        Convert.ToInt32(page.ExecuteScript($"return gmn.lastResult.samples['{label}'] || 0;"));

    private static int Thumbs(ChromeDriver page, int row) =>
        Convert.ToInt32(page.ExecuteScript($"return document.querySelectorAll('.class-row')[{row}].querySelectorAll('.thumbs canvas').length;"));

    private static void AfterResults(ChromeDriver page, int n)
    {
        long start = Convert.ToInt64(page.ExecuteScript("return gmn.results;"));
        Wait(page, $"{n} more results", $"return gmn.results >= {start + n} ? true : null;");
    }

    /// <summary>The ids (or labels) of what Tab focuses, from the top of the page round to the start again.</summary>
    private static List<string> Tabbed(ChromeDriver page)
    {
        page.ExecuteScript("document.activeElement.blur(); window.scrollTo(0, 0);");
        var seen = new List<string>();
        for (int i = 0; i < 80; i++)
        {
            new Actions(page).SendKeys(Keys.Tab).Perform();
            var id = (string?)page.ExecuteScript("const e = document.activeElement; return e === document.body ? '' : e.id || e.getAttribute('aria-label') || e.tagName;");
            if (string.IsNullOrEmpty(id) || seen.Contains(id)) break;
            seen.Add(id);
        }
        return seen;
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now.</summary>
    private static List<JsonNode> Axe(ChromeDriver page)
    {
        page.ExecuteScript(File.ReadAllText(AxeScript));
        page.Manage().Timeouts().AsynchronousJavaScript = Patience;
        var json = (string?)page.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(JSON.stringify(r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })))),
              e => done(JSON.stringify([{ id: 'axe failed', help: String(e) }])));
            """);
        return JsonNode.Parse(json ?? "[{\"id\": \"axe returned nothing\"}]")!.AsArray().Select(v => v!.DeepClone()).ToList();
    }

    private static void Attach(ChromeDriver page, string name, string description)
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, name);
        ((ITakesScreenshot)page).GetScreenshot().SaveAsFile(file);
        TestContext.AddTestAttachment(file, description);
    }

    private static JsonNode Json(ChromeDriver page, string script, params object[] args) =>
        JsonNode.Parse((string?)page.ExecuteScript(script, args) ?? "null")!;

    private static void Wait(ChromeDriver page, string what, string script) => Chromium.WaitFor(page, what, script, o => o, Patience);
}
