using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Networks;

/// <summary>fp16 variants against the oracle. fp16 has an 11-bit mantissa (relative step ε = 4.9e-4). Storage
/// rounds each activation once (error ≤ ε|x|); fp16 arithmetic also rounds every partial sum, so a sum of n
/// O(1) terms drifts by up to about n·ε·|partial sum|: tolerances are abs 2e-3 + rel 2e-3 for storage and
/// abs 1e-2 + rel 1e-2 for arithmetic on sums of up to ~30 terms. Whole networks are compared by the largest
/// deviation relative to the output's largest value; random-weight networks amplify rounding more than
/// trained ones, so their bounds are looser than the 1e-2 the real nsfwjs weights must meet.</summary>
public class Float16Tests : GpuTest
{
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void KernelsMatchTheOracle(Precision precision, double tolerance)
    {
        var options = new SessionOptions { Precision = precision };
        var shapes = new[]
        {
            ConvGraphs.Conv(new(3, 17, 13), 8, 3, 2, GpuMobileNet.Graph.Padding.Same(17, 13, 3, 3, 2, 2), 1, true, GpuMobileNet.Graph.Activation.Relu6, false),
            ConvGraphs.Conv(new(7, 9, 9), 7, 3, 1, GpuMobileNet.Graph.Padding.Symmetric(1), 7, true, GpuMobileNet.Graph.Activation.Relu, false),
            ConvGraphs.Conv(new(24, 7, 9), 20, 1, 1, GpuMobileNet.Graph.Padding.Zero, 1, true, GpuMobileNet.Graph.Activation.None, true),
            SmallOpGraphs.Build("pad", new(3, 7, 5), (b, x) => b.Pad("pad", x, new GpuMobileNet.Graph.Padding(1, 0, 2, 1))),
            SmallOpGraphs.Build("pool", new(6, 9, 8), (b, x) => b.AvgPool("pool", x, 3, 3, 2, 2, GpuMobileNet.Graph.Padding.Same(9, 8, 3, 3, 2, 2))),
            SmallOpGraphs.Build("softmax", new(50, 1, 1), (b, x) => b.Softmax("softmax", b.Dense("fc", x, 10, GpuVsCpu.RandomArray(500, 9, 0.2f)))),
        };
        foreach (var g in shapes) GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: options);
    }

    [TestCase(Precision.Float16Storage, 0.1)]
    [TestCase(Precision.Float16, 0.2)]
    public void MobileNetV2StaysCloseToFp32(Precision precision, double relativeToMax)
    {
        var graph = MobileNetV2.Create(0.5, 128, 100, WeightInit.Random(31));
        using var fp32 = InferenceSession.Create(graph, Device);
        using var fp16 = InferenceSession.Create(graph, Device, new SessionOptions { Precision = precision });
        // One random input: `gmn precision` sweeps many (the real weights' bound is checked on photos below).
        AssertRelativeDeviation(fp32, fp16, 0, relativeToMax, $"{precision}");
    }

    /// <summary>With every pass off and simple kernels, the fp16 builds of add, activation and the BatchNorm-as-
    /// depthwise kernels run too; same bound as the fused graph.</summary>
    [TestCase(Precision.Float16Storage, 0.1)]
    [TestCase(Precision.Float16, 0.2)]
    public void UnfusedSimpleKernelsStayCloseToFp32(Precision precision, double relativeToMax)
    {
        var graph = MobileNetV2.Create(0.35, 96, 20, WeightInit.Random(32));
        var simple = new SessionOptions { Passes = GpuMobileNet.Passes.PassOptions.None, Kernels = GpuMobileNet.Kernels.KernelChoice.Simple };
        using var fp32 = InferenceSession.Create(graph, Device, simple);
        using var fp16 = InferenceSession.Create(graph, Device, simple with { Precision = precision });
        var shaders = fp16.Dispatches.Select(d => d.Shader).ToList();
        foreach (var kernel in new[] { "add", "activation", "depthwise_conv", "pointwise_conv", "conv2d" })
            Assert.That(shaders, Has.Member(kernel), kernel);
        AssertRelativeDeviation(fp32, fp16, 5, relativeToMax, $"{precision}, passes off");
    }

    /// <summary>Runs both sessions on one seeded random input: max |fp16 - fp32| / max |fp32| must stay within the bound.</summary>
    private static void AssertRelativeDeviation(InferenceSession fp32, InferenceSession fp16, int seed, double bound, string what)
    {
        var input = GpuVsCpu.RandomArray(fp32.InputLength, seed);
        var a = fp32.Run(input);
        var b = fp16.Run(input);
        double worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / a.Max(Math.Abs);
        TestContext.Out.WriteLine($"{what}: max |fp16 - fp32| / max |fp32| = {worst:E2}");
        Assert.That(worst, Is.LessThanOrEqualTo(bound), what);
    }

    /// <summary>The criterion on the real weights (`gmn precision` measures it on 200 inputs): output within
    /// 1e-2 of fp32 relative to its largest value, and the same top class; here 2 photos (rocket.jpg was the worst
    /// photo) and 2 random images.
    /// Measured on 200 inputs: fp16 storage max 1.3e-3, fp16 arithmetic max 3.9e-3, mean 8.7e-4 (its pointwise and
    /// dense sums fold into fp32 every 32 channels, and depthwise sums are fp32: without the folding it reached
    /// 1.35e-2 on random inputs; with fp16 depthwise sums, 1.2e-2 on rocket.jpg).</summary>
    [TestCase(Precision.Float16Storage, 1e-2)]
    [TestCase(Precision.Float16, 1e-2)]
    public void NsfwjsStaysCloseAndAgreesOnTheTopClass(Precision precision, double bound)
    {
        var graph = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        using var fp32 = InferenceSession.Create(graph, Device);
        using var fp16 = InferenceSession.Create(graph, Device, new SessionOptions { Precision = precision });
        var inputs = new[] { "chelsea.png", "rocket.jpg" }
            .Select(p => (p, ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo(p)), 224, 224)))
            .Concat(Enumerable.Range(0, 2).Select(i => ($"random {i}", GpuVsCpu.RandomArray(3 * 224 * 224, 100 + i).Select(v => (v + 1) / 2).ToArray())));
        foreach (var (name, input) in inputs)
        {
            var a = fp32.Run(input);
            var b = fp16.Run(input);
            double relative = a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / a.Max(Math.Abs);
            TestContext.Out.WriteLine($"{precision} {name}: relative deviation {relative:E2}");
            Assert.That(relative, Is.LessThanOrEqualTo(bound), name);
            Assert.That(Array.IndexOf(b, b.Max()), Is.EqualTo(Array.IndexOf(a, a.Max())), name);
        }
    }
}
