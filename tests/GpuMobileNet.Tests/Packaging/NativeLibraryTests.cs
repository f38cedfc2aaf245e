using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Tests.Cli;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Packaging;

/// <summary>libgpumobilenet.so from a real NativeAOT publish of native/, and the C sample (native/samples/classify.c)
/// compiled against include/gpumobilenet.h with gcc: it classifies a photo with the nsfwjs model (TF.js, and exported to
/// ONNX), and its top 5 equal `gmn classify`'s; a bad model path fails with the C ABI's error message.</summary>
public class NativeLibraryTests
{
    private static string _dir = "";
    private static string _sample = "";

    private static string Repo => TestPaths.RepoRoot;
    private static string Model => Path.Combine(Repo, "models", "cache", "nsfwjs_mobilenet_v2", "model.json");
    private static string Labels => Path.Combine(Repo, "models", "nsfwjs_labels.txt");
    private static string Photo => Path.Combine(Repo, "models", "cache", "photos", "chelsea.png");

    [OneTimeSetUp]
    public void PublishAndCompile()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gmn-native-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        var publish = ChildProcess.Run("dotnet", Repo, "publish", Path.Combine(Repo, "native", "GpuMobileNet.Native.csproj"), "-c", "Release",
            "-r", "linux-x64", "--nologo", "-o", _dir);
        Assert.That(publish.Code, Is.Zero, "dotnet publish native:\n" + publish.Out);
        Assert.That(File.Exists(Path.Combine(_dir, "libgpumobilenet.so")), Is.True, publish.Out);
        _sample = Path.Combine(_dir, "classify");
        var gcc = ChildProcess.Run("gcc", _dir, "-Wall", "-Werror", Path.Combine(Repo, "native", "samples", "classify.c"),
            "-I", Path.Combine(Repo, "native", "include"), "-L", _dir, "-lgpumobilenet", "-Wl,-rpath," + _dir, "-o", _sample);
        Assert.That(gcc.Code, Is.Zero, "gcc:\n" + gcc.Out);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void CSampleTopFiveEqualsTheCli() => AssertTopFiveEqualsTheCli(Model);

    /// <summary>gmn_model_load takes any format, by content: the nsfwjs model exported to ONNX, under a name that says
    /// nothing of its format, classifies as the TF.js one does.</summary>
    [Test]
    public void CSampleLoadsAnOnnxModel()
    {
        var onnx = Path.Combine(_dir, "nsfwjs.model");
        File.WriteAllBytes(onnx, OnnxExporter.ToBytes(TfjsLayersImporter.Load(Model)));
        AssertTopFiveEqualsTheCli(onnx);
    }

    private static void AssertTopFiveEqualsTheCli(string model)
    {
        var c = ChildProcess.Run(_sample, Repo, model, Labels, Photo);
        Assert.That(c.Code, Is.Zero, c.Out);
        var native = ChildProcess.TabbedTopFive(c.StdOut);
        var rows = ChildProcess.CliTopFive(Photo);

        Assert.That(native, Has.Count.EqualTo(5), c.StdOut);
        Assert.That(native.Select(n => n.Label), Is.EqualTo(rows.Select(r => r.Label)), $"C:\n{c.StdOut}\ngmn: {string.Join(", ", rows)}");
        for (int i = 0; i < native.Count; i++)
            Assert.That(native[i].P, Is.EqualTo(rows[i].P).Within(2e-4), native[i].Label); // gmn prints 4 decimals
    }

    /// <summary>gmn_session_create_with_outputs + gmn_session_run_named: one run gives the scores (top 5 as the CLI's) and
    /// the pooled features, whose sum equals the C# session's on the same preprocessed photo.</summary>
    [Test]
    public void CSampleRunNamedGivesScoresAndFeatures()
    {
        var graph = GpuMobileNet.Import.Tfjs.TfjsLayersImporter.Load(Model);
        string features = GpuMobileNet.Graph.GraphCut.Features(graph).Name;
        var c = ChildProcess.Run(_sample, Repo, Model, Labels, Photo, features);
        Assert.That(c.Code, Is.Zero, c.Out);
        var rows = ChildProcess.CliTopFive(Photo);
        Assert.That(ChildProcess.TabbedTopFive(c.StdOut).Select(n => n.Label), Is.EqualTo(rows.Select(r => r.Label)), c.StdOut);

        var line = c.StdErr.Split('\n').Single(l => l.StartsWith("features\t")).Split('\t');
        using var device = GpuMobileNet.Vulkan.VulkanDevice.Open(new GpuMobileNet.Vulkan.DeviceOptions { PipelineCachePath = "" });
        using var session = GpuMobileNet.Runtime.InferenceSession.Create(graph.WithExtraOutputs(features), device);
        var input = GpuMobileNet.Imaging.ImagePreprocessor.ToTensor(GpuMobileNet.Imaging.ImageLoader.Load(Photo), 224, 224);
        var expected = session.Run(new Dictionary<string, float[]> { [graph.Input.Name] = input })[features];
        Assert.That(int.Parse(line[1]), Is.EqualTo(expected.Length), "feature count");
        double sum = expected.Sum(v => (double)v);
        Assert.That(double.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(sum).Within(1e-4 * Math.Abs(sum) + 1e-3), "feature sum");
    }

    [Test]
    public void BadModelPathFailsWithTheLibrarysMessage()
    {
        var c = ChildProcess.Run(_sample, Repo, Path.Combine(_dir, "missing.json"), Labels, Photo);
        Assert.That(c.Code, Is.EqualTo(1));
        Assert.That(c.StdErr, Does.Contain("classify: model:").And.Contain("missing.json"));
    }
}
