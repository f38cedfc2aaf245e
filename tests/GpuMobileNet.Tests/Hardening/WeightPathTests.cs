using System.Text.Json.Nodes;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Tfjs;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Hardening;

/// <summary>Weight paths in a model.json are resolved inside the model's folder only, as ONNX Runtime does for
/// external data: a model must not make the loader open (or report the size of) any other file.</summary>
public class WeightPathTests
{
    private static (TempDir Dir, string Json) ModelWithWeightsAt(string path)
    {
        var dir = new TempDir();
        var model = new SyntheticTfjs(3, 3, 3).Conv("conv", 3, 4);
        var json = model.Json();
        json["weightsManifest"]![0]!["paths"] = new JsonArray(path);
        return (dir, model.WriteTo(dir, json));
    }

    [TestCase("../../../../../../../etc/passwd", "leads outside")]
    [TestCase("sub/../../w.bin", "leads outside")]
    [TestCase("/etc/passwd", "is absolute")]
    public void PathOutsideTheFolderIsRefusedByName(string path, string why)
    {
        var (dir, json) = ModelWithWeightsAt(path);
        using var _ = dir;
        var e = Assert.Throws<ModelLoadException>(() => TfjsLayersImporter.Load(json))!;
        Assert.That(e.Message, Does.Contain($"'{path}'").And.Contain(why).And.Not.Contain("bytes"), "refused before it is opened or measured");
    }

    [Test]
    public void SymlinkLeadingOutsideIsRefused()
    {
        var (dir, json) = ModelWithWeightsAt("link.bin");
        using var _ = dir;
        using var outside = new TempDir();
        File.Copy(dir.File("w.bin"), outside.File("w.bin"));
        File.CreateSymbolicLink(dir.File("link.bin"), outside.File("w.bin"));
        Assert.That(() => TfjsLayersImporter.Load(json), Throws.TypeOf<ModelLoadException>().With.Message.Contains("'link.bin'").And.Message.Contains("outside"));
    }

    [Test]
    public void SymlinkedFolderLeadingOutsideIsRefused()
    {
        var (dir, json) = ModelWithWeightsAt("shards/w.bin");
        using var _ = dir;
        using var outside = new TempDir();
        File.Copy(dir.File("w.bin"), outside.File("w.bin"));
        Directory.CreateSymbolicLink(dir.File("shards"), outside.Path);
        Assert.That(() => TfjsLayersImporter.Load(json), Throws.TypeOf<ModelLoadException>().With.Message.Contains("outside"));
    }

    [Test]
    public void ModelInALinkedFolderLoadsAndAMissingShardIsCalledMissing()
    {
        var (dir, _) = ModelWithWeightsAt("w.bin");
        using var _dir = dir;
        using var other = new TempDir();
        Directory.CreateSymbolicLink(other.File("model"), dir.Path);
        string json = Path.Combine(other.File("model"), "model.json");
        Assert.That(TfjsLayersImporter.Load(json).Nodes, Has.Count.EqualTo(1));
        File.Delete(dir.File("w.bin"));
        Assert.That(() => TfjsLayersImporter.Load(json), Throws.TypeOf<ModelLoadException>().With.Message.Contains("is missing"));
    }

    [Test]
    public void PathsInsideTheFolderStillLoad()
    {
        // A subfolder, a ./ prefix and a symlink that stays inside are all fine.
        var (dir, json) = ModelWithWeightsAt("./sub/../inner/link.bin");
        using var _ = dir;
        Directory.CreateDirectory(dir.File("sub"));
        Directory.CreateDirectory(dir.File("inner"));
        File.CreateSymbolicLink(dir.File("inner/link.bin"), dir.File("w.bin"));
        Assert.That(TfjsLayersImporter.Load(json).Nodes, Has.Count.EqualTo(1));
    }
}
