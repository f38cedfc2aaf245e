using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Onnx;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Initializers stored in external data files: read from inside the model's folder only.</summary>
public class OnnxExternalDataTests
{
    private static readonly float[] Weights = [0.5f, -1, 2, 0.25f, 3, -0.75f];

    /// <summary>Writes model.onnx into <paramref name="dir"/> with the conv weights at <paramref name="location"/>
    /// (offset 8 into the file), and a data file weights.bin holding them there.</summary>
    private static string Write(TempDir dir, string location, long offset = 8, long? length = null)
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 3, 3]);
        b.Floats("w", Weights, 3, 2, 1, 1);
        b.Node("Conv", ["x", "w"], "y");
        b.Output("y", 1, 3, 3, 3);
        var m = b.Model();
        var w = m.Graph.Initializer.Single();
        w.FloatData.Clear();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
        if (length is not null) w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString() });
        var data = new byte[8 + Weights.Length * 4];
        Buffer.BlockCopy(Weights, 0, data, 8, Weights.Length * 4);
        File.WriteAllBytes(dir.File("weights.bin"), data);
        string path = dir.File("model.onnx");
        File.WriteAllBytes(path, m.ToByteArray());
        return path;
    }

    private static string Error(string path)
    {
        var e = Assert.Throws<ModelLoadException>(() => OnnxImporter.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("initializer 'w'"));
        return e.Message;
    }

    [Test]
    public void ExternalWeightsAreRead()
    {
        using var dir = new TempDir();
        var graph = OnnxImporter.Load(Write(dir, "weights.bin", length: 24));
        Assert.That(graph.Nodes.OfType<Conv2dOp>().Single().Weights, Is.EqualTo(Weights));
    }

    [Test]
    public void AbsolutePathIsRefused()
    {
        using var dir = new TempDir();
        Assert.That(Error(Write(dir, dir.File("weights.bin"))), Does.Contain("is absolute"));
    }

    [Test]
    public void PathLeavingTheFolderIsRefused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("sub"));
        File.Copy(Write(dir, "x"), dir.File("sub/model.onnx"));
        var path = Write(dir, "../weights.bin");
        File.Move(path, dir.File("sub/model2.onnx"));
        Assert.That(Error(dir.File("sub/model2.onnx")), Does.Contain("'../weights.bin' leaves the model's folder"));
    }

    [Test]
    public void LinkIsRefused()
    {
        using var dir = new TempDir();
        var path = Write(dir, "link.bin");
        File.CreateSymbolicLink(dir.File("link.bin"), dir.File("weights.bin"));
        Assert.That(Error(path), Does.Contain("not a regular file"));
    }

    [Test]
    public void RangePastTheEndIsRefused()
    {
        using var dir = new TempDir();
        Assert.That(Error(Write(dir, "weights.bin", offset: 16)), Does.Contain("runs past its end"));
        Assert.That(Error(Write(dir, "weights.bin", length: 4)), Does.Contain("length 4 does not match"));
        Assert.That(Error(Write(dir, "missing.bin")), Does.Contain("does not exist"));
    }

    [Test]
    public void BytesWithoutAFolderCannotUseExternalData()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Write(dir, "weights.bin"));
        Assert.That(() => OnnxImporter.Load(bytes, "mem.onnx"), Throws.TypeOf<ModelLoadException>().With.Message.Contains("not loaded from a file"));
    }
}
