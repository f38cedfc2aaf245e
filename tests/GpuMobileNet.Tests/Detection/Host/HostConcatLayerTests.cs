using GpuMobileNet.Detection.Host;
using GpuMobileNet.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Detection.Host;

/// <summary>The host Concat against ncnn's: a seeded input and its negation (so that order matters) joined along each
/// axis of a 3-D and of a 2-D (reshaped) tensor of odd sizes.</summary>
public class HostConcatLayerTests
{
    private const int W = 5, H = 3, C = 4;

    [TestCase(3, 0)]
    [TestCase(3, 1)]
    [TestCase(3, 2)]
    [TestCase(3, -1)]
    [TestCase(2, 0)]
    [TestCase(2, 1)]
    public void MatchesNcnn(int dims, int axis)
    {
        var input = TestData.Uniform(dims * 10 + axis + 3, W * H * C);
        // 2-D: ncnn's Reshape to h = C x H rows of w = W.
        string shape = dims == 2 ? $"Reshape shaped 1 1 data x 0={W} 1={C * H}" : "Noop shaped 1 1 data x";
        var ncnn = NcnnReference.Run(
        [
            $"Input input 0 1 data 0={W} 1={H} 2={C}",
            shape,
            "Split split 1 2 x a b",
            "UnaryOp negated 1 1 b nb 0=1",
            $"Concat joined 2 1 a nb out 0={axis}",
        ], (W, H, C), input, "out")["out"];

        var x = dims == 2 ? new HostTensor(1, C * H, W, input, Dims: 2) : new HostTensor(C, H, W, input);
        var negated = x with { Data = input.Select(v => -v).ToArray() };
        var ours = HostLayers.Create("Concat", NcnnReference.Params($"0={axis}")).Run([x, negated]);

        Assert.That((ours.C, ours.H, ours.W, ours.Dims), Is.EqualTo((ncnn.C, ncnn.H, ncnn.W, ncnn.Dims)), "shape");
        Assert.That(ours.Data, Is.EqualTo(ncnn.Data), "values");
    }

    [Test]
    public void MismatchedInputsAreRefusedByName()
    {
        var layer = HostLayers.Create("Concat", NcnnReference.Params("0=1"));
        var e = Assert.Throws<ModelLoadException>(() =>
            layer.Run([new HostTensor(1, 2, 8, new float[16], Dims: 2), new HostTensor(1, 3, 4, new float[12], Dims: 2)]));
        Assert.That(e!.Message, Does.Contain("input 1").And.Contain("1x3x4"));
    }

    [Test]
    public void AnAxisOutsideTheRankIsRefused()
    {
        var layer = HostLayers.Create("Concat", NcnnReference.Params("0=2"));
        Assert.That(() => layer.Run([new HostTensor(1, 2, 8, new float[16], Dims: 2)]),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("axis (param 0) 2"));
    }
}
