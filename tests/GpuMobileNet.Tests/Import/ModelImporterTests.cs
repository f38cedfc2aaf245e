using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Import.Tflite;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Hardening;
using GpuMobileNet.Tests.Import.Onnx;
using GpuMobileNet.Tests.Import.Tflite;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>ModelImporter picks the importer from a file's content, whatever its name, and refuses anything else with
/// one line naming the file and the formats it reads.</summary>
public class ModelImporterTests
{
    private static byte[] OnnxBytes() => OnnxExporter.ToBytes(MobileNetV1.Create(0.25, 32, 5, WeightInit.Random(3)));

    /// <summary>Each format written under another format's file name loads as what its content is: the graph computes
    /// what the format's own importer's graph computes.</summary>
    [Test]
    public void PicksEachFormatFromContentNotTheFileName()
    {
        using var dir = new TempDir();
        var tfjs = dir.File("model.onnx");
        File.Move(new SyntheticTfjs(5, 5, 3).Conv("conv", 3, 4, "same").BatchNorm("bn").Relu("relu").WriteTo(dir), tfjs);
        var onnx = dir.File("model.tflite");
        File.WriteAllBytes(onnx, OnnxBytes());
        var tflite = dir.File("model.json");
        File.WriteAllBytes(tflite, TfliteModelBuilder.Classifier(5, 9, 7, 4));

        Assert.Multiple(() =>
        {
            Assert.That(ModelImporter.FormatOf(onnx).Name, Is.EqualTo("ONNX"));
            Assert.That(ModelImporter.FormatOf(tflite).Name, Is.EqualTo("TFLite"));
            Assert.That(ModelImporter.FormatOf(tfjs).Name, Is.EqualTo("TF.js layers model.json"));
        });
        AssertSameFunction(ModelImporter.Load(onnx), OnnxImporter.Load(onnx));
        AssertSameFunction(ModelImporter.Load(tflite), TfliteImporter.Load(tflite));
        AssertSameFunction(ModelImporter.Load(tfjs), TfjsLayersImporter.Load(tfjs));
        AssertSameFunction(ModelImporter.Load(File.ReadAllBytes(onnx), "mem"), OnnxImporter.Load(onnx));
        AssertSameFunction(ModelImporter.Load(File.ReadAllBytes(tflite), "mem"), TfliteImporter.Load(tflite));
    }

    private static void AssertSameFunction(ModelGraph actual, ModelGraph expected)
    {
        Assert.That(actual.Input.Shape, Is.EqualTo(expected.Input.Shape));
        var input = GpuVsCpu.RandomArray(expected.Input.Shape.Elements, 9);
        Assert.That(ReferenceExecutor.Run(actual, input), Is.EqualTo(ReferenceExecutor.Run(expected, input)));
    }

    [TestCase("text", "a plain text file, not a model\n")]
    [TestCase("gif", "GIF89a....")]
    [TestCase("json", "{\"not\": \"a model\"}")]
    public void UnknownContentIsOneLineNamingTheFileAndTheFormats(string what, string content)
    {
        using var dir = new TempDir();
        var path = dir.File("model.onnx");
        File.WriteAllText(path, content, System.Text.Encoding.Latin1);
        AssertRefused(() => ModelImporter.Load(path), path, "not a model format this engine reads", "ONNX", "TFLite", "TF.js");
    }

    [Test]
    public void EmptyMissingAndFolderAreRefusedNamingThePath()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.onnx"), []);
        AssertRefused(() => ModelImporter.Load(dir.File("empty.onnx")), dir.File("empty.onnx"), "empty");
        AssertRefused(() => ModelImporter.Load(dir.File("none.onnx")), dir.File("none.onnx"), "not found");
        AssertRefused(() => ModelImporter.Load(dir.Path), dir.Path, "directory");
        AssertRefused(() => ModelImporter.Load([], "bytes.onnx"), "bytes.onnx", "empty");
    }

    [Test]
    public void TfjsFromBytesSaysToLoadItFromItsPath()
    {
        using var dir = new TempDir();
        var json = new SyntheticTfjs(3, 3, 3).Conv("conv", 1, 2).WriteTo(dir);
        AssertRefused(() => ModelImporter.Load(File.ReadAllBytes(json), "model.json"), "model.json", "load it from its path");
    }

    [Test]
    public void InputSizeOfAFixedFormatMustMatchTheFile()
    {
        var tflite = TfliteModelBuilder.Classifier(5, 9, 7, 4);
        Assert.That(ModelImporter.Load(tflite, "t.tflite", new ModelImportOptions { InputHeight = 9, InputWidth = 7 }).Input.Shape.H, Is.EqualTo(9));
        AssertRefused(() => ModelImporter.Load(tflite, "t.tflite", new ModelImportOptions { InputHeight = 16 }), "t.tflite", "9x7", "16x");
        AssertRefused(() => ModelImporter.Load(tflite, "t.tflite", new ModelImportOptions { OutputNames = ["x"] }), "t.tflite", "ONNX models only");
    }

    [Test]
    public void OnnxOptionsReachTheOnnxImporter()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, -1, -1]);
        b.Node("Conv", ["x", b.Weights("w", 3, 2, 1, 1)], "c");
        b.Node("Relu", ["c"], "y");
        b.Output("y", 1, 3, -1, -1);
        var graph = ModelImporter.Load(b.Bytes(), "dyn.onnx", new ModelImportOptions { InputHeight = 11, InputWidth = 5, OutputNames = ["c"] });
        Assert.That((graph.Input.Shape.H, graph.Input.Shape.W, graph.Output.Name), Is.EqualTo((11, 5, "c")));
    }

    internal static string AssertRefused(Action load, string name, params string[] mentions)
    {
        var e = Assert.Throws<ModelLoadException>(load)!;
        TestContext.Out.WriteLine(e.Message);
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith(name + ": "), "names the file first");
            Assert.That(e.Message, Does.Not.Contain('\n'), "one line");
            foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        });
        return e.Message;
    }
}
