using Google.Protobuf;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Models;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.Onnx.OnnxModelBuilder;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Each way a model file can be wrong ends in one ModelLoadException whose single line names the file,
/// the node and op where there is one, and the problem.</summary>
public class OnnxBadModelTests
{
    private static byte[] V1Bytes() => OnnxExporter.ToBytes(MobileNetV1.Create(0.25, 32, 3, WeightInit.Random(1)));

    private static OnnxModelBuilder Small(long opset = 13)
    {
        var b = new OnnxModelBuilder(opset, "x", [1, 2, 4, 4]);
        b.Node("Conv", ["x", b.Weights("w", 3, 2, 1, 1)], "c");
        b.Node("Relu", ["c"], "y");
        b.Output("y", 1, 3, 4, 4);
        return b;
    }

    private static string LoadError(byte[] bytes, string name = "bad.onnx", OnnxImportOptions? options = null)
    {
        var e = Assert.Throws<ModelLoadException>(() => OnnxImporter.Load(bytes, name, options))!;
        Assert.That(e.Message, Does.StartWith(name + ": ").And.Not.Contain("\n"));
        TestContext.Out.WriteLine(e.Message);
        return e.Message;
    }

    private static byte[] With(OnnxModelBuilder b, Action<ModelProto> change)
    {
        var m = b.Model();
        change(m);
        return m.ToByteArray();
    }

    [Test]
    public void TruncatedModel() =>
        Assert.That(LoadError(V1Bytes()[..5000]), Does.Contain("not an ONNX model"));

    [Test]
    public void NotProtobuf() =>
        Assert.That(LoadError("this is not a model at all, just text\n"u8.ToArray()), Does.Contain("not an ONNX model").Or.Contain("IR version"));

    [Test]
    public void EmptyFile() => Assert.That(LoadError([]), Does.Contain("empty"));

    [Test]
    public void WrongIrVersion() => Assert.That(LoadError(With(Small(), m => m.IrVersion = 99)), Does.Contain("IR version 99"));

    [TestCase(6)]
    [TestCase(22)]
    public void OpsetOutOfRange(long opset) =>
        Assert.That(LoadError(Small(opset).Bytes()), Does.Contain($"opset {opset} is not supported"));

    [Test]
    public void UnknownOpNamesNodeAndOp()
    {
        var b = Small();
        b.Node("Einsum", ["y"], "z", Str("equation", "nchw->nchw"));
        b.Output("z", 1, 3, 4, 4);
        Assert.That(LoadError(With(b, m => m.Graph.Output.RemoveAt(0))), Does.Contain("node 'z_node' (Einsum): op Einsum is not supported"));
    }

    [Test]
    public void OtherDomainIsRefused() =>
        Assert.That(LoadError(With(Small(), m => m.Graph.Node[1].Domain = "com.microsoft")), Does.Contain("(Relu): domain 'com.microsoft'"));

    [Test]
    public void MissingInitializerNamesTheInput() =>
        Assert.That(LoadError(With(Small(), m => { m.Graph.Initializer.Clear(); m.Graph.Input.Add(Info("w", [3, 2, 1, 1])); })),
            Does.Contain("input 'w' has a fixed batch of 3"));

    [Test]
    public void UndefinedInputNamesIt() =>
        Assert.That(LoadError(With(Small(), m => m.Graph.Initializer.Clear())),
            Does.Contain("node 'c_node' (Conv): input 'w' is not an initializer"));

    [Test]
    public void UnboundDynamicSizeIsRefusedAndCanBeGiven()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 4, 4]);
        b.Node("Relu", ["x"], "y");
        b.Output("y", 1, 2, 4, 4);
        var bytes = With(b, m => m.Graph.Input[0].Type.TensorType.Shape.Dim[2] = new TensorShapeProto.Types.Dimension { DimParam = "height" });
        Assert.That(LoadError(bytes), Does.Contain("height is dynamic ('height')"));
        Assert.That(OnnxImporter.Load(bytes, "ok.onnx", new OnnxImportOptions { InputHeight = 9 }).Output.Shape.H, Is.EqualTo(9));
        Assert.That(LoadError(bytes.ToArray(), options: new OnnxImportOptions { InputHeight = 9, InputWidth = 5 }), Does.Contain("width is 4 in the file, 5 was asked for"));
    }

    [Test]
    public void InconsistentShapesNameTheNodeOrInitializer()
    {
        Assert.That(LoadError(With(Small(), m => m.Graph.Initializer[0].Dims[1] = 5)),
            Does.Contain("initializer 'w': float_data has 6 values, the dims need 15"));
        var b = new OnnxModelBuilder(13, "x", [1, 2, 4, 4]);
        b.Node("Conv", ["x", b.Weights("w", 3, 5, 1, 1)], "y");
        b.Output("y", 1, 3, 4, 4);
        Assert.That(LoadError(b.Bytes()), Does.Contain("node 'y_node' (Conv): weights [3, 5, 1, 1] with group 1 do not fit input [1, 2, 4, 4]"));
    }

    [Test]
    public void DeclaredOutputShapeThatDisagreesIsRefused() =>
        Assert.That(LoadError(With(Small(), m => m.Graph.Output[0].Type.TensorType.Shape.Dim[2].DimValue = 5)),
            Does.Contain("output 'y' is declared [N, 3, 5, 4] but the nodes compute [N, 3, 4, 4]"));

    [Test]
    public void AbsurdDimensionIsRefusedBeforeAllocating()
    {
        var bytes = With(Small(), m =>
        {
            var w = m.Graph.Initializer[0];
            w.Dims.Clear();
            w.Dims.Add(1_000_000_000);
            w.Dims.Add(1_000_000_000);
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(LoadError(bytes), Does.Contain("initializer 'w'").And.Contain("above the limit"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(10_000_000));
        Assert.That(LoadError(With(Small(), m => m.Graph.Input[0].Type.TensorType.Shape.Dim[3].DimValue = 1_000_000_000)),
            Does.Contain("width 1000000000 is outside"));
    }

    [Test]
    public void ConstantOfShapeIsBounded()
    {
        var b = Small();
        b.Node("ConstantOfShape", [b.Ints("huge", [100000, 100000, 1000])], "z");
        Assert.That(LoadError(b.Bytes()), Does.Contain("(ConstantOfShape)").And.Contain("has more than 16777216 elements"));
    }

    [Test]
    public void UnsupportedAttributeValueNamesIt()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 6, 6]);
        b.Node("Pad", ["x", b.Ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])], "y", Str("mode", "reflect"));
        b.Output("y", 1, 2, 8, 8);
        Assert.That(LoadError(b.Bytes()), Does.Contain("node 'y_node' (Pad): mode 'reflect' is not supported"));
    }

    [Test]
    public void MissingFileAndFolder()
    {
        using var dir = new TempDir();
        Assert.That(() => OnnxImporter.Load(dir.File("none.onnx")), Throws.TypeOf<ModelLoadException>().With.Message.Contains("not found"));
        Assert.That(() => OnnxImporter.Load(dir.Path), Throws.TypeOf<ModelLoadException>().With.Message.Contains("is a directory"));
    }
}
