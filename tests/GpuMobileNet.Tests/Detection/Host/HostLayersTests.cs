using GpuMobileNet.Detection;
using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>The registry the ncnn importer asks, and the detection records made from a layer's [n, 6] rows.</summary>
public class HostLayersTests
{
    [Test]
    public void EveryListedTypeIsCreatedAsItself()
    {
        Assert.That(HostLayers.Types, Is.EquivalentTo(new[] { "PriorBox", "DetectionOutput", "Yolov3DetectionOutput", "YoloDetectionOutput" }));
        var valid = new Dictionary<string, string>
        {
            ["PriorBox"] = "-23300=1,6.0",
            ["DetectionOutput"] = "0=3",
            ["Yolov3DetectionOutput"] = "1=1 -23304=2,10.0,14.0",
            ["YoloDetectionOutput"] = "1=1 -23304=2,1.0,1.0",
        };
        foreach (var type in HostLayers.Types)
            Assert.That(HostLayers.Create(type, NcnnReference.Params(valid[type])).Type, Is.EqualTo(type));
    }

    [Test]
    public void ConcatRunsOnTheHostOnlyAfterHostLayers()
    {
        Assert.That(HostLayers.FollowerTypes, Is.EquivalentTo(new[] { "Concat" }));
        Assert.That(HostLayers.Types, Does.Not.Contain("Concat"), "a Concat of network blobs stays in the network");
        Assert.That(HostLayers.Create("Concat", NcnnReference.Params("0=1")).Type, Is.EqualTo("Concat"));
    }

    [Test]
    public void AnUnknownTypeIsNotSupported() =>
        Assert.That(() => HostLayers.Create("Proposal", NcnnParams.Empty),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("'Proposal'"));

    [Test]
    public void RowsBecomeDetectionsWithOptionalLabels()
    {
        float[] rows = [2, 0.9f, 0.1f, 0.2f, 0.3f, 0.4f, /* */ 7, 0.5f, 0.5f, 0.5f, 0.6f, 0.7f];
        var named = DetectionRows.ToDetections(rows, ["background", "cat", "dog"]);
        Assert.That(named.Select(d => (d.ClassId, d.Label, d.Score)), Is.EqualTo(new[] { (2, "dog", 0.9f), (7, "7", 0.5f) }));
        Assert.That(named[1].Box, Is.EqualTo(new Box(0.5f, 0.5f, 0.6f, 0.7f)));
        Assert.That(DetectionRows.ToDetections(rows)[0].Label, Is.EqualTo("2"));
        Assert.That(() => DetectionRows.ToDetections(rows.AsSpan(0, 7)), Throws.ArgumentException.With.Message.Contains("multiple of 6"));
    }
}
