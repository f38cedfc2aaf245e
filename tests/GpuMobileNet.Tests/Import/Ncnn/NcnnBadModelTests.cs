using System.Text;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>Malformed ncnn models: each must fail with one ModelLoadException line naming the file, the layer where
/// there is one, and the problem, before any large allocation.</summary>
public class NcnnBadModelTests
{
    private const string Good = "7767517\n4 4\nInput in 0 1 data 0=8 1=6 2=3\nConvolution conv 1 1 data c 0=4 1=3 4=1 5=1 6=108 9=1\n" +
                                "Pooling pool 1 1 c p 0=1 4=1\nInnerProduct fc 1 1 p out 0=5 1=1 2=20\n";

    private static readonly byte[] GoodBin = RandomBin(Good);

    private static byte[] RandomBin(string param)
    {
        var net = NcnnImporter.Parse(Encoding.UTF8.GetBytes(param), "x.param");
        using var stream = new MemoryStream();
        NcnnRandomWeights.Write(net, NcnnRandomWeights.Generate(net, 1, "x.param"), stream);
        return stream.ToArray();
    }

    private static string Fails(string param, byte[]? bin, params string[] phrases)
    {
        var e = Assert.Throws<ModelLoadException>(() => NcnnImporter.Load(Encoding.UTF8.GetBytes(param), bin, "bad.param", "bad.bin"))!;
        Assert.That(e.Message, Does.Not.Contain('\n'));
        foreach (var phrase in phrases) Assert.That(e.Message, Does.Contain(phrase));
        return e.Message;
    }

    [Test]
    public void TheGoodModelLoads()
    {
        var model = NcnnImporter.Load(Encoding.UTF8.GetBytes(Good), GoodBin, "good.param", "good.bin");
        Assert.That(model.Graph.Output.Name, Is.EqualTo("out"));
        Assert.That(model.Graph.Output.Shape.C, Is.EqualTo(5));
    }

    /// <summary>A Concat runs on the host only when every input is a host layer's output; one mixing a network blob is refused.</summary>
    [Test]
    public void AConcatOfAHostAndANetworkBlobIsRefused() =>
        Fails("7767517\n4 6\nInput in 0 1 data 0=8 1=6 2=3\nSplit sp 1 3 data d0 d1 d2\nPriorBox pb 2 1 d0 d1 pb -23300=1,2.0\n" +
              "Concat cat 2 1 pb d2 out 0=1\n", null, "bad.param", "cat", "reads 'pb'", "host (post-processing) layer");

    [Test]
    public void EmptyAndTruncated()
    {
        Fails("", null, "bad.param", "empty");
        Fails(Good[..60], GoodBin, "bad.param", "line 4", "expected 'Type name bottom_count top_count ...'");
        Fails(Good[..Good.IndexOf("Pooling", StringComparison.Ordinal)], GoodBin, "declares 4 layers", "has 2 layer lines");
        Fails(Good[..Good.IndexOf("Pooling", StringComparison.Ordinal)] + "Pooling pool 1 1", GoodBin, "line 5", "Pooling 'pool'", "names only 0 blobs");
    }

    /// <summary>As ncnn, lines after the declared layers (nanodet_m's trailing "Noop Output") are not read: the model
    /// loads with a warning naming them. Fewer lines than declared, or blobs the read layers do not write, still fail.</summary>
    [Test]
    public void LinesAfterTheDeclaredLayersAreIgnoredWithAWarning()
    {
        var model = NcnnImporter.Load(Encoding.UTF8.GetBytes(Good + "Noop Output 1 1 out final\n\nSoftmax sm 1 1 final s\n"), GoodBin, "tail.param", "good.bin");
        Assert.That(model.Graph.Outputs.Select(o => o.Name), Is.EqualTo(new[] { "out" }));
        Assert.That(model.Warnings, Has.Count.EqualTo(1));
        Assert.That(model.Warnings[0], Does.Contain("tail.param").And.Contain("2 line(s) after the 4 layers")
            .And.Contain("line 7 'Noop Output'").And.Contain("line 9 'Softmax sm'").And.Not.Contain('\n'));
        Assert.That(NcnnImporter.Load(Encoding.UTF8.GetBytes(Good), GoodBin, "good.param", "good.bin").Warnings, Is.Empty);
        // Declaring 3 of the 4 layers leaves the fourth's blob unwritten: the blob count disagrees.
        Fails(Good.Replace("4 4\n", "3 4\n"), GoodBin, "declares 4 blobs", "write 3");
        Fails(Good.Replace("4 4\n", "3 3\n"), GoodBin, "bad.bin", "too long");
    }

    [Test]
    public void WrongMagicAndCounts()
    {
        Fails(Good.Replace("7767517", "7767518"), GoodBin, "not the ncnn magic");
        Fails(Good.Replace("4 4\n", "5 4\n"), GoodBin, "declares 5 layers", "has 4 layer lines");
        Fails(Good.Replace("4 4\n", "4 9\n"), GoodBin, "declares 9 blobs", "write 4");
        Fails(Good.Replace("4 4\n", "4 999999999\n"), GoodBin, "layer_count blob_count");
    }

    [Test]
    public void BlobWiring()
    {
        Fails(Good.Replace("1 1 c p", "1 1 q p"), GoodBin, "Pooling 'pool'", "reads blob 'q' before any layer writes it");
        Fails(Good.Replace("1 1 c p", "1 1 c c"), GoodBin, "Pooling 'pool'", "writes blob 'c', already written by Convolution 'conv'");
        // A cycle: conv reads what fc writes later.
        Fails(Good.Replace("1 1 data c", "1 1 out c"), GoodBin, "Convolution 'conv'", "reads blob 'out' before any layer writes it");
        Fails(Good.Replace("Pooling pool", "Pooling conv"), GoodBin, "a second layer named 'conv'");
    }

    [Test]
    public void AbsurdValues()
    {
        Fails(Good.Replace("0=8 1=6", "0=9999999 1=6"), null, "Input 'in'", "input 9999999x6x3");
        Fails(Good.Replace("0=4 1=3 4=1", "0=4 1=0 4=1"), GoodBin, "Convolution 'conv'", "kernel 0x0");
        Fails(Good.Replace("0=4 1=3 4=1", "0=4 1=3 4=-7"), GoodBin, "Convolution 'conv'", "padding left -7");
        Fails(Good.Replace("6=108", "6=2000000000"), null, "Convolution 'conv'", "limit for random weights");
        Fails(Good.Replace("0=1 4=1", "0=9 4=1"), GoodBin, "Pooling 'pool'", "pooling type 9");
        Fails(Good.Replace("0=1 4=1", "0=1 40=1"), GoodBin, "line 5", "parameter id 40 is out of range");
        Fails(Good.Replace("0=1 4=1", "0=1 -23304=3,1"), GoodBin, "array parameter 4 declares 3 items but has 1");
        Fails(Good.Replace("0=1 4=1", "0=1 4=nan"), GoodBin, "not a finite number");
    }

    [Test]
    public void WeightsThatDoNotFit()
    {
        Fails(Good, GoodBin[..^8], "bad.bin", "InnerProduct 'fc'", "too short");
        Fails(Good, [.. GoodBin, 0, 0, 0, 0], "bad.bin", "4 bytes are left", "too long");
        Fails(Good, [], "bad.bin", "Convolution 'conv'", "too short");
        // The weights are the right size for another kernel: the graph's check names the layer.
        Fails(Good.Replace("6=108", "6=100"), RandomBin(Good.Replace("6=108", "6=100")), "'c'", "weights has 100 values, expected 108");
    }

    [Test]
    public void CropsAndSlicesOutsideTheBlobAreRefusedNamingTheLayer()
    {
        Fails(Good.Replace("Pooling pool 1 1 c p 0=1 4=1", "Crop pool 1 1 c p 0=7 3=3 4=-233 5=-233"), GoodBin, "Crop 'pool'", "crop 7..9 of axis 2 is not within its 8");
        Fails(Good.Replace("Pooling pool 1 1 c p 0=1 4=1", "Crop pool 1 1 c p -23309=2,1,1 -23310=1,3"), GoodBin, "Crop 'pool'", "2 starts, 1 ends");
        Fails(Good.Replace("Pooling pool 1 1 c p 0=1 4=1", "Slice pool 1 1 c p -23300=1,9 1=1"), GoodBin, "Slice 'pool'", "do not fit the 6 of axis 1");
    }

    /// <summary>ncnn's vision_transformer is refused before its 86 M weights are made, naming every transformer layer type.</summary>
    [Test]
    public void TheVisionTransformerIsRefusedNamingItsLayers()
    {
        var param = NcnnPeer.Param("vision_transformer");
        var e = Assert.Throws<ModelLoadException>(() => NcnnImporter.Load(param, null, new NcnnImportOptions { InputWidth = 384, InputHeight = 384 }))!;
        Assert.That(e.Message, Does.StartWith(param + ": transformer layers are not supported: ").And.Not.Contain('\n'));
        Assert.That(e.Message, Does.Contain("MultiHeadAttention x12 (first 'MultiHeadAttention_21', line 14)")
            .And.Contain("LayerNorm x25").And.Contain("Gemm x25").And.Contain("GELU x12"));
    }

    [Test]
    public void UnknownLayerType()
    {
        Fails(Good.Replace("Pooling pool", "FancyPool pool"), GoodBin, "FancyPool 'pool'", "layer type 'FancyPool' is not supported");
        Fails(Good.Replace("Pooling pool", "LayerNorm pool"), GoodBin, "transformer layers are not supported: LayerNorm x1 (first 'pool', line 5)");
    }

    [Test]
    public void BinaryParamFaults()
    {
        var binary = NcnnBinaryWriter.Write(NcnnImporter.Parse(Encoding.UTF8.GetBytes(Good), "x"));
        Assert.That(NcnnImporter.Load(binary, GoodBin, "good.param.bin", "good.bin").Graph.Output.Shape.C, Is.EqualTo(5));
        var e = Assert.Throws<ModelLoadException>(() => NcnnImporter.Load(binary[..^12], GoodBin, "bad.param.bin", "good.bin"))!;
        Assert.That(e.Message, Does.Contain("bad.param.bin").And.Contain("ends at byte"));
        var unknown = (byte[])binary.Clone();
        unknown[12] = 200; // the first layer's type index
        e = Assert.Throws<ModelLoadException>(() => NcnnImporter.Load(unknown, GoodBin, "bad.param.bin", "good.bin"))!;
        Assert.That(e.Message, Does.Contain("layer 0").And.Contain("type index 200"));
    }
}
