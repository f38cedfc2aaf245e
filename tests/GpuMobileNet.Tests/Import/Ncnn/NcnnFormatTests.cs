using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>The two .param forms and the two weight sources agree: a real model written as .param.bin imports to the
/// graph its text gives, and the .bin that WriteRandomWeights writes holds exactly the weights an import without a
/// .bin uses (CPU reference outputs equal, bit for bit).</summary>
public class NcnnFormatTests
{
    [TestCase("mobilenet_v3")]
    [TestCase("shufflenet_v2")]
    public void BinaryParamAndWrittenWeightsGiveTheSameNetwork(string model)
    {
        using var dir = new TempDir();
        var options = new NcnnImportOptions { InputWidth = 40, InputHeight = 40, Seed = 3 };
        var text = File.ReadAllBytes(NcnnPeer.Param(model));
        var bin = dir.File("w.bin");
        NcnnImporter.WriteRandomWeights(NcnnPeer.Param(model), bin, 3);
        var random = NcnnImporter.Load(text, null, model, "", options);
        var fromText = NcnnImporter.Load(text, File.ReadAllBytes(bin), model, "w.bin", options);
        var fromBinary = NcnnImporter.Load(NcnnBinaryWriter.Write(NcnnImporter.Parse(text, model)), File.ReadAllBytes(bin), model + ".bin", "w.bin", options);
        Assert.That(fromBinary.Graph.Nodes.Select(n => (n.OpType, n.Output.Shape)), Is.EqualTo(fromText.Graph.Nodes.Select(n => (n.OpType, n.Output.Shape))));
        var input = GpuVsCpu.RandomArray(fromText.Graph.Input.Shape.Elements, 9);
        var expected = ReferenceExecutor.Run(fromText.Graph, input);
        Assert.That(ReferenceExecutor.Run(fromBinary.Graph, input), Is.EqualTo(expected), ".param.bin vs text");
        Assert.That(ReferenceExecutor.Run(random.Graph, input), Is.EqualTo(expected), "no .bin (seed 3) vs the written .bin");
        Assert.That(expected.Max() - expected.Min(), Is.GreaterThan(0), "the output varies");
    }
}
