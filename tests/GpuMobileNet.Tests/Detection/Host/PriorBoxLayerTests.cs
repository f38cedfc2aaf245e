using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>PriorBox against ncnn's own: a pooled map of an awkward 23 x 17 image (so the step is not a whole number of
/// pixels) through the same params in both, every prior and variance within 1e-6.</summary>
public class PriorBoxLayerTests
{
    [TestCase("-23300=2,6.0,3.0 -23301=2,9.0,7.0 -23302=2,2.0,3.0 9=-233 10=-233 13=0.5", TestName = "mobilenet_ssd style: max sizes, flip, steps from the image")]
    [TestCase("-23300=1,21.0 -23301=1,45.0 -23302=1,2.0 9=-233 10=-233 11=8.0 12=8.0 13=0.5", TestName = "squeezenet_ssd style: explicit steps")]
    [TestCase("-23300=2,6.0,3.0 -23302=2,1.0,3.0 7=0 8=1 9=30 10=24 11=5.0 12=3.0 13=0.3 3=0.5 4=0.6 5=0.7 6=0.8",
        TestName = "no flip, clip, image size and variances from params, ratio 1")]
    public void MatchesNcnn(string parameters)
    {
        var shape = (W: 23, H: 17, C: 3);
        var blobs = NcnnReference.Run(
        [
            $"Input data 0 1 data 0={shape.W} 1={shape.H} 2={shape.C}",
            "Split split 1 2 data d0 d1",
            "Pooling pool 1 1 d0 feat 0=0 1=4 2=4",
            $"PriorBox pb 2 1 feat d1 out {parameters}",
        ], shape, TestData.Uniform(1, shape.W * shape.H * shape.C), "feat", "out");
        var image = new HostTensor(shape.C, shape.H, shape.W, new float[shape.W * shape.H * shape.C]);
        var layer = (PriorBoxLayer)HostLayers.Create("PriorBox", NcnnReference.Params(parameters));

        var ours = layer.Run([blobs["feat"], image]);

        var feat = blobs["feat"];
        Assert.That((ours.C, ours.H, ours.W), Is.EqualTo((1, 2, feat.H * feat.W * layer.PriorsPerCell * 4)), "shape");
        Assert.That(ours.Data, Is.EqualTo(blobs["out"].Data).Within(1e-6f), "priors and variances");
    }

    /// <summary>Every PriorBox of the real SSD graphs ncnn benchmarks (zero weights: only the shapes matter), as its
    /// .param line gives it, against ncnn on the same feature maps.</summary>
    [TestCase("mobilenet_ssd.param")]
    [TestCase("squeezenet_ssd.param")]
    public void MatchesNcnnInTheRealSsdGraphs(string file)
    {
        var param = Path.Combine(NcnnReference.PeerDir, "params", file);
        var layers = File.ReadLines(param).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(t => t.Length > 0 && t[0] == "PriorBox").ToList();
        Assert.That(layers, Has.Count.EqualTo(6), "PriorBox layers");
        // type, name, 2 bottoms, 1 top: bottoms at 4 and 5, the top at 6, the params after.
        var blobs = NcnnReference.RunFile(param, (300, 300, 3), TestData.Uniform(2, 300 * 300 * 3), [.. layers.SelectMany(t => new[] { t[4], t[6] })]);
        var image = new HostTensor(3, 300, 300, []);
        foreach (var t in layers)
        {
            var ours = HostLayers.Create("PriorBox", NcnnReference.Params(string.Join(' ', t[7..]))).Run([blobs[t[4]], image]);
            Assert.That(ours.Data, Is.EqualTo(blobs[t[6]].Data).Within(1e-6f), $"{file} {t[1]}");
        }
    }

    [TestCase("9=-233", "min_sizes")]
    [TestCase("-23300=2,6.0,3.0 -23301=1,9.0", "max_sizes")]
    [TestCase("-23300=1,6.0 -23302=1,-2.0", "aspect_ratios")]
    [TestCase("-23300=1,6.0 14=1", "mmdetection")]
    public void BadParamsAreRefusedByName(string parameters, string culprit)
    {
        var e = Assert.Throws<ModelLoadException>(() => HostLayers.Create("PriorBox", NcnnReference.Params(parameters)));
        Assert.That(e!.Message, Does.StartWith("PriorBox: ").And.Contains(culprit));
    }

    [Test]
    public void WithoutAnImageInputTheImageSizeMustBeGiven()
    {
        var layer = HostLayers.Create("PriorBox", NcnnReference.Params("-23300=1,6.0"));
        var e = Assert.Throws<ModelLoadException>(() => layer.Run([new HostTensor(1, 2, 2, new float[4])]));
        Assert.That(e!.Message, Does.Contain("image_width"));
    }
}
