using System.Globalization;
using System.Text.Json;
using GpuMobileNet.Imaging;
using GpuMobileNet.Teach;
using GpuMobileNet.Tests.Teach;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Cli;

/// <summary>--json: the command's whole stdout is one JSON document a script can parse, its fields agreeing with the
/// run's own facts (the table of the same run without --json, the photo's size, the head file written).</summary>
public class JsonOutputTests
{
    private static readonly string[] TinyModel = ["--model", "mobilenet_v1", "--alpha", "0.25", "--resolution", "64"];

    [Test]
    public void DevicesListsEveryDeviceAndTheDefault()
    {
        var r = GmnProcess.Run("devices", "--json");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var devices = doc.RootElement.GetProperty("devices");
        Assert.That(devices.GetArrayLength(), Is.GreaterThan(0));
        var names = devices.EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.That(names, Does.Contain(doc.RootElement.GetProperty("default").GetString()));
        Assert.That(devices[0].GetProperty("kind").GetString(), Is.AnyOf("cpu", "discreteGpu", "integratedGpu", "virtualGpu", "other"));
    }

    [Test]
    public void ClassifyGivesTheTablesTopClassesWithTheirScores()
    {
        string[] args = ["classify", TestPaths.Photo("chelsea.png"), .. TinyModel, "--top", "3"];
        var json = GmnProcess.Run([.. args, "--json"]);
        Assert.That(json.ExitCode, Is.Zero, json.StdErr);
        using var doc = JsonDocument.Parse(json.StdOut);
        var top = doc.RootElement.GetProperty("top").EnumerateArray().ToList();
        Assert.That(top, Has.Count.EqualTo(3));
        var scores = top.Select(t => t.GetProperty("score").GetDouble()).ToList();
        Assert.That(scores, Is.Ordered.Descending);
        Assert.That(doc.RootElement.GetProperty("model").GetString(), Does.StartWith("mobilenet_v1 alpha=0.25 resolution=64"));
        Assert.That(doc.RootElement.GetProperty("timings").GetProperty("inferenceMs").GetDouble(), Is.GreaterThan(0));
        Assert.That(json.StdErr, Does.Contain("--scale"), "the normalisation note goes to stderr in JSON mode");

        // The same seeded model without --json: its table rows are the same classes with the same scores (4 decimals).
        var text = GmnProcess.Run(args);
        Assert.That(text.ExitCode, Is.Zero, text.StdErr);
        var rows = text.StdOut.Split('\n').Where(l => l.StartsWith('│') && l.Contains("class ") && !l.Contains("probability"))
            .Select(l => l.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.That(rows.Select(row => row[0]), Is.EqualTo(top.Select(t => t.GetProperty("label").GetString())));
        for (int i = 0; i < rows.Count; i++)
            Assert.That(double.Parse(rows[i][1], CultureInfo.InvariantCulture), Is.EqualTo(scores[i]).Within(5e-5 + 1e-4 * scores[i]));
    }

    /// <summary>classify --json's phases: where a cold start's time goes, each phase named once with its first start
    /// and its summed time; the pipelines counted (created side by side: several at once) and no kernel dry run at import.</summary>
    [Test]
    public void ClassifyBreaksItsColdStartIntoPhases()
    {
        var r = GmnProcess.Run(["classify", TestPaths.Photo("chelsea.png"), .. TinyModel, "--top", "1", "--json"]);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var phases = doc.RootElement.GetProperty("phases").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => (Start: p.GetProperty("startMs").GetDouble(), Ms: p.GetProperty("ms").GetDouble(), Times: p.GetProperty("times").GetInt32()));
        Assert.That(phases.Keys, Is.SupersetOf(new[] { "runtime start to Main", "vulkan: load loader", "vulkan: instance", "vulkan: devices, device, pipeline cache",
            "image decode", "session passes", "session plan (memory, kernels, weight packing)", "session buffers + weight upload", "pipeline creation",
            "session: wait for pipelines", "binding: record command buffer", "run: wait for the device" }));
        Assert.That(phases.Values.All(p => p is { Start: >= 0, Ms: >= 0, Times: >= 1 }), Is.True, r.StdOut);
        Assert.That(phases["pipeline creation"].Times, Is.GreaterThan(4), "one entry per pipeline, summed");
        Assert.That(phases["runtime start to Main"].Ms, Is.GreaterThan(0));
        Assert.That(phases.Keys.Where(k => k.StartsWith("import")), Is.Empty, "a built-in network is not imported");
    }

    /// <summary>A second classify of a model starts creating the pipelines the first one wrote in its list (beside the
    /// pipeline cache, in a fresh cache folder here) as soon as its device is open: every pipeline it creates is listed.</summary>
    [Test]
    public void ClassifyStartsThePipelinesOfTheLastRunFromItsList()
    {
        using var cache = new TempDir();
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache.Path };
        string[] args = ["classify", TestPaths.Photo("chelsea.png"), .. TinyModel, "--top", "1", "--json"];
        var first = GmnProcess.RunWith(environment, args);
        Assert.That(first.ExitCode, Is.Zero, first.StdErr);
        using var firstDoc = JsonDocument.Parse(first.StdOut);
        Assert.That(firstDoc.RootElement.GetProperty("pipelinesFromList").GetInt32(), Is.Zero, "no list yet");
        var lists = Directory.GetFiles(Path.Combine(cache.Path, "gpumobilenet"), "*.txt", SearchOption.AllDirectories);
        Assert.That(lists, Has.Length.EqualTo(1), "one list, for this model on this device");
        int kernels = File.ReadAllLines(lists[0]).Length;

        var second = GmnProcess.RunWith(environment, args);
        Assert.That(second.ExitCode, Is.Zero, second.StdErr);
        using var secondDoc = JsonDocument.Parse(second.StdOut);
        Assert.That(secondDoc.RootElement.GetProperty("pipelinesFromList").GetInt32(), Is.EqualTo(kernels));
        var created = secondDoc.RootElement.GetProperty("phases").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "pipeline creation");
        Assert.That(created.GetProperty("times").GetInt32(), Is.EqualTo(kernels), "the list held exactly what the run needed");
        Assert.That(secondDoc.RootElement.GetProperty("top")[0].GetProperty("score").GetDouble(),
            Is.EqualTo(firstDoc.RootElement.GetProperty("top")[0].GetProperty("score").GetDouble()));
    }

    [Test]
    public void DetectGivesEachBoxInPixelsAndNormalised()
    {
        var r = GmnProcess.Run("detect", TestPaths.Photo("chelsea.png"), "--threshold", "0.5", "--json");
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var photo = ImageLoader.Load(TestPaths.Photo("chelsea.png"));
        var image = doc.RootElement.GetProperty("image");
        Assert.That((image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()), Is.EqualTo((photo.Width, photo.Height)));
        var detections = doc.RootElement.GetProperty("detections").EnumerateArray().ToList();
        Assert.That(detections.Select(d => d.GetProperty("class").GetString()), Does.Contain("Cat"));
        foreach (var d in detections)
        {
            Assert.That(d.GetProperty("score").GetDouble(), Is.InRange(0.5, 1.0));
            var (px, unit) = (d.GetProperty("box"), d.GetProperty("boxNormalised"));
            foreach (var (side, size) in new[] { ("xMin", photo.Width), ("xMax", photo.Width), ("yMin", photo.Height), ("yMax", photo.Height) })
                Assert.That(px.GetProperty(side).GetDouble(), Is.EqualTo(unit.GetProperty(side).GetDouble() * size).Within(1e-3 * size), side);
        }
        var timings = doc.RootElement.GetProperty("timings");
        foreach (var stage in new[] { "preprocessMs", "networkMs", "decodeMs", "nmsMs" })
            Assert.That(timings.GetProperty(stage).GetDouble(), Is.GreaterThanOrEqualTo(0), stage);
        Assert.That(timings.GetProperty("networkMs").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void TeachGivesTheClassesTheHeldOutAccuraciesAndTheKindItWrote()
    {
        using var dir = new TempDir();
        var counts = new Dictionary<string, int> { ["cat"] = 5, ["rocket"] = 6 };
        foreach (var (name, photo) in new[] { ("cat", "chelsea.png"), ("rocket", "rocket.jpg") })
        {
            Directory.CreateDirectory(dir.File(name));
            var image = ImageLoader.Load(TestPaths.Photo(photo));
            for (int seed = 0; seed < counts[name]; seed++) Augment.SaveBmp(Augment.Apply(image, seed), Path.Combine(dir.File(name), $"{seed}.bmp"));
        }
        var r = GmnProcess.Run(["teach", dir.Path, "--out", dir.File("head.json"), .. TinyModel, "--json"]);
        Assert.That(r.ExitCode, Is.Zero, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        var classes = root.GetProperty("classes").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("samples").GetInt32());
        Assert.That(classes, Is.EqualTo(counts));
        var head = TaughtHead.Load(dir.File("head.json"));
        Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo(head.Kind));
        var heldOut = root.GetProperty("heldOutAccuracy").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.That(heldOut.Keys, Is.EquivalentTo(new[] { TaughtHead.SoftmaxKind, TaughtHead.CentroidKind }));
        Assert.That(heldOut.Values, Has.All.InRange(0.0, 1.0));
        Assert.That(heldOut[head.Kind], Is.EqualTo(heldOut.Values.Max()), "auto keeps the more accurate kind");
        Assert.That(root.GetProperty("timings").GetProperty("featuresMs").GetDouble(), Is.GreaterThan(0));
        // stderr is not a terminal here: one plain progress line per image.
        Assert.That(r.StdErr, Does.Contain("[1/11] cat/0.bmp").And.Contain("[11/11] rocket/5.bmp"));
    }
}
