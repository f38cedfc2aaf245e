using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Int8 weights (Kernels/Int8Weights.cs): channel-packed 1x1 convolutions whose weights are int8 levels with
/// per-output scales, as ncnn's int8 models hold them, keep them as int8 (pointwise_conv_packed's and dense's
/// INT8_WEIGHTS) where asked to (by default on GPUs only) and match the CPU oracle, which runs the same weights in fp32:
/// partial channel tiles and quads, long reductions, residuals, batches, fp16. Layers whose weights are not levels stay
/// fp32. Tolerance abs 1e-4 + rel 1e-4 (fp32).</summary>
internal class Int8WeightsTests : GpuTest
{
    /// <summary>Channel-packed, int8 weights kept int8 whatever the device.</summary>
    private static readonly SessionOptions PackedInt8 = PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Int8Weights: true) };

    [TestCase(12, 20, 7, 9, Activation.None, 2, false, TestName = "int8 pw 12->20 7x9 batch 2: partial tile")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, false, TestName = "int8 pw 320->1280 7x7: 410 KB of int8 weights")]
    [TestCase(24, 44, 3, 5, Activation.HardSigmoid, 2, false, TestName = "int8 pw 24->44 3x5 h-sigmoid: 12-channel tile")]
    [TestCase(40, 36, 5, 3, Activation.Relu, 2, true, TestName = "int8 pw 40->36 5x3 residual batch 2")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch, bool residual)
    {
        var g = Levelled(ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: PackedInt8,
            inspect: s => Assert.That(PointwiseFlags(s), Is.All.True, "every 1x1 convolution read int8 weights"));
    }

    [TestCase(1024, 1000, true, Activation.None, 1, TestName = "int8 dense 1024->1000: mobilenet's classifier")]
    [TestCase(64, 30, true, Activation.Relu6, 2, TestName = "int8 dense 64->30 batch 2: partial quad")]
    [TestCase(36, 8, false, Activation.Relu, 3, TestName = "int8 dense 36->8 batch 3, no bias")]
    public void DenseMatchesOracle(int inF, int outF, bool bias, Activation act, int batch) =>
        GpuVsCpu.Check(Device, Levelled(DenseKernelTests.Graph(inF, outF, bias, act)), batch, 1e-4, 1e-4, options: PackedInt8,
            inspect: s => Assert.That(DenseFlags(s), Is.EqualTo(new[] { true }), "the dense layer read int8 weights"));

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void DenseFp16(Precision precision, double tolerance) =>
        // 256 inputs: the fp16-arithmetic build folds its partial sums into fp32 8 times.
        GpuVsCpu.Check(Device, Levelled(DenseKernelTests.Graph(256, 30, true, Activation.Relu6)), 2, tolerance, tolerance,
            options: PackedInt8 with { Precision = precision }, inspect: s => Assert.That(DenseFlags(s), Is.EqualTo(new[] { true })));

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var g = Levelled(ConvGraphs.Conv(new TensorShape(64, 5, 6), 24, 1, 1, Padding.Zero, 1, true, Activation.Relu6, residual: true));
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: PackedInt8 with { Precision = precision },
            inspect: s => Assert.That(PointwiseFlags(s), Is.All.True));
    }

    [Test]
    public void RealValuedWeightsStayFp32()
    {
        var g = ConvGraphs.Conv(new TensorShape(16, 5, 5), 20, 1, 1, Padding.Zero, 1, true, Activation.Relu, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: PackedInt8,
            inspect: s => Assert.That(PointwiseFlags(s), Is.EqualTo(new[] { false })));
    }

    [Test]
    public void ByDefaultKeptOnGpusOnly()
    {
        var auto = new KernelChoice();
        Assert.That(auto.KeepsInt8Weights(DeviceKind.DiscreteGpu) && auto.KeepsInt8Weights(DeviceKind.IntegratedGpu), "GPUs");
        Assert.That(auto.KeepsInt8Weights(DeviceKind.Cpu), Is.False, "CPU implementations");
        Assert.That(new KernelChoice(Int8Weights: true).KeepsInt8Weights(DeviceKind.Cpu), "forced on");
        Assert.That(new KernelChoice(Int8Weights: false).KeepsInt8Weights(DeviceKind.DiscreteGpu), Is.False, "forced off");
        // This device's default sessions: a 1x1 and a dense layer both follow its kind.
        var g = Levelled(ConvGraphs.Conv(new TensorShape(16, 5, 5), 20, 1, 1, Padding.Zero, 1, true, Activation.Relu, residual: false));
        bool keeps = auto.KeepsInt8Weights(Device.Kind);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed,
            inspect: s => Assert.That(PointwiseFlags(s), Is.EqualTo(new[] { keeps }), $"{Device.Kind}: int8 weights kept: {keeps}"));
        GpuVsCpu.Check(Device, Levelled(DenseKernelTests.Graph(64, 30, true, Activation.None)), 1, 1e-4, 1e-4,
            inspect: s => Assert.That(DenseFlags(s), Is.EqualTo(new[] { keeps }), $"{Device.Kind}: dense int8 weights kept: {keeps}"));
    }

    [Test]
    public void TurnedOffStoresThemInFp32()
    {
        var g = Levelled(ConvGraphs.Conv(new TensorShape(16, 5, 5), 20, 1, 1, Padding.Zero, 1, true, Activation.Relu, residual: false));
        var options = PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Int8Weights: false) };
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: options, inspect: s => Assert.That(PointwiseFlags(s), Is.EqualTo(new[] { false })));
    }

    [Test]
    public void RowScalesAreTheLargestWeightOfLevelledRows()
    {
        float[] w = [0.5f, -0.5f * 64 / 127, 0.5f * 3 / 127, 0, 0, 0, 3f / 127 * 2, -2, 2];
        Assert.That(Int8Weights.RowScales(w, 3), Is.EqualTo(new[] { 0.5f, 0, 2 }));
        w[1] += 0.5f / 127 / 2; // half a level off
        Assert.That(Int8Weights.RowScales(w, 3), Is.Null);
        Assert.That(Int8Weights.RowScales([1, float.NaN], 2), Is.Null);
        Assert.That(Int8Weights.RowScales([1, 2, 3], 2), Is.Null, "not whole rows");
    }

    [Test]
    public void PackQuadsPutsTheFirstLevelInTheLowByte()
    {
        float[] packed = [1, -1, 0.5f, 0, 2, 0, 0, -2];
        var slots = Int8Weights.PackQuads(packed, i => i < 4 ? 1 : 2);
        var bytes = slots.SelectMany(f => BitConverter.GetBytes(BitConverter.SingleToInt32Bits(f))).Select(b => (sbyte)b);
        Assert.That(bytes, Is.EqualTo(new sbyte[] { 127, -127, 64, 0, 127, 0, 0, -127 }));
    }

    /// <summary>Every convolution's weights rounded to int8 levels of their row's largest |weight|, divided by ncnn's
    /// per-output scale (127 / that) as the ncnn importer does.</summary>
    internal static ModelGraph Levelled(ModelGraph g) => g.WithNodes(g.Nodes.Select(n => n switch
    {
        Conv2dOp c => c with { Weights = Levels(c.Weights, c.Weights.Length / c.OutC) },
        DenseOp d => d with { Weights = Levels(d.Weights, d.InFeatures) },
        _ => n,
    }).ToList());

    private static float[] Levels(float[] weights, int rowLength)
    {
        var levelled = new float[weights.Length];
        for (int r = 0; r < weights.Length / rowLength; r++)
        {
            var row = weights.AsSpan(r * rowLength, rowLength);
            float scale = 127 / row.ToArray().Max(Math.Abs);
            for (int i = 0; i < rowLength; i++) levelled[r * rowLength + i] = MathF.Round(row[i] * scale) / scale;
        }
        return levelled;
    }

    /// <summary>Whether each dense dispatch of the session read int8 weights.</summary>
    private static List<bool> DenseFlags(InferenceSession s) =>
        s.Dispatches.Where(d => d.Shader == DenseKernel.Id.Shader).Select(d => (bool)((DenseConstants)d.Constants).Int8Weights).ToList();

    /// <summary>Whether each pointwise_conv_packed dispatch of the session read int8 weights.</summary>
    private static List<bool> PointwiseFlags(InferenceSession s) =>
        s.Dispatches.Where(d => d.Shader == PointwiseConvPackedKernel.Id.Shader).Select(d => (bool)((PointwiseConvPackedConstants)d.Constants).Int8Weights).ToList();
}
