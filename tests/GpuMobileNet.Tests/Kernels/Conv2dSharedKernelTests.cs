using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;
using static GpuMobileNet.Tests.Kernels.Conv2dPackedKernelTests;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_shared.comp, conv2d_packed's shared-memory GEMM variant for GPUs (forced on lavapipe through
/// <see cref="GemmVariant.SharedMemory"/>), against the CPU oracle on awkward shapes: odd planes, channel counts that are
/// not whole 32-channel tiles nor 16-row slices nor quads, kernels 1x1 to 19x19, strides, dilation, asymmetric padding,
/// groups, batch 2, a fused residual, each layout pair (packed or planar in and out), fp16. Each case checks that
/// conv2d_shared ran for the layer, in the layouts it should, and conv2d_packed did not. Tolerances as conv2d_packed's
/// (fp32 sums of up to 2304 He-scaled products: abs 1e-4 + rel 1e-4).</summary>
internal class Conv2dSharedKernelTests : GpuTest
{
    // 3x3 stride-1 layers of whole quads would run as Winograd by default: Direct keeps them on the kernel under test.
    private static readonly SessionOptions Shared = PointwiseConvPackedKernelTests.Packed with
    {
        Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.Direct, Gemm: GemmVariant.SharedMemory),
    };

    // inC, H, W, outC, kernel h x w, stride h x w, padding (top, left, bottom, right), dilation, groups, batch, activation
    [TestCase(4, 13, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, Activation.None, TestName = "shared 3x3 s1 4->8 13x11 batch 2")]
    [TestCase(20, 9, 7, 12, 5, 5, 1, 1, 4, 3, 2, 4, 2, 1, 2, Activation.Relu6, TestName = "shared 5x5 dilation 2 20->12 asymmetric pad batch 2")]
    [TestCase(12, 13, 11, 36, 1, 3, 3, 3, 0, 1, 2, 1, 1, 1, 1, Activation.None, TestName = "shared 1x3 s3 12->36: a partial second channel tile")]
    [TestCase(24, 9, 7, 36, 3, 3, 2, 2, 1, 1, 1, 1, 2, 3, 1, Activation.HardSwish, TestName = "shared 3x3 s2 d2 groups 3 (8->12 per group) h-swish")]
    [TestCase(32, 15, 15, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 2, Activation.None, TestName = "shared 1x1 s2 32->64 (ResNet's downsample) batch 2")]
    [TestCase(256, 7, 5, 68, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.Relu, TestName = "shared 3x3 256->68: 144 slices, 3 channel tiles")]
    public void MatchesOracle(int inC, int h, int w, int outC, int kh, int kw, int sh, int sw, int padT, int padL, int padB, int padR,
        int dilation, int groups, int batch, Activation act)
    {
        var b = new GraphBuilder("conv", new TensorShape(inC, h, w));
        var y = Conv(b, b.Input, outC, kh, kw, sh, sw, new Padding(padT, padL, padB, padR), dilation, groups, act, seed: 1);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-4, 1e-4, options: Shared, inspect: s => AssertShared(s, inPacked: true, outPacked: true));
    }

    /// <summary>Channel counts that are not whole quads, read or written planar as conv2d_packed does (here channel by channel).</summary>
    // inC, H, W, outC, kernel, stride, pad, groups, packed input first, packed reader after, activation, input packed, output packed
    [TestCase(24, 9, 7, 18, 3, 1, 1, 3, true, false, Activation.Relu6, true, false, TestName = "shared 3x3 groups 3 (8->6 per group) planar out")]
    [TestCase(10, 23, 21, 16, 11, 2, 5, 1, false, true, Activation.Relu, false, true, TestName = "shared 11x11 s2 10->16 planar in, packed out")]
    [TestCase(3, 17, 19, 6, 19, 1, 9, 1, false, false, Activation.None, false, false, TestName = "shared 19x19 3->6 planar in and out")]
    public void ChannelsNotWholeQuads(int inC, int h, int w, int outC, int kernel, int stride, int pad, int groups, bool packedIn,
        bool packedReader, Activation act, bool inPacked, bool outPacked)
    {
        var b = new GraphBuilder("ragged", new TensorShape(packedIn ? 16 : inC, h, w));
        var x = packedIn ? Conv(b, b.Input, inC, 1, 1, 1, 1, Padding.Zero, 1, 1, Activation.Relu, seed: 2, name: "pack") : b.Input;
        var y = Conv(b, x, outC, kernel, kernel, stride, stride, Padding.Symmetric(pad), 1, groups, act, seed: 5);
        if (packedReader) y = Conv(b, y, 8, 1, 1, 1, 1, Padding.Zero, 1, 1, Activation.None, seed: 7, name: "reader");
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: Shared, inspect: s => AssertShared(s, inPacked, outPacked));
    }

    /// <summary>A residual add fused into the conv (read where the output is written, planned in place), the activation after it.</summary>
    [TestCase(12, 9, 7, 5, 3, Activation.None)]
    [TestCase(40, 14, 14, 3, 1, Activation.Relu)]
    public void FusedResidual(int c, int h, int w, int kernel, int groups, Activation act)
    {
        var b = new GraphBuilder("residual", new TensorShape(c, h, w));
        var y = Conv(b, b.Input, c, kernel, kernel, 1, 1, Padding.Symmetric(kernel / 2), 1, groups, Activation.None, seed: 3);
        GpuVsCpu.Check(Device, b.Build(b.Add("add", y, b.Input, act)), 2, 1e-4, 1e-4, options: Shared,
            inspect: s => AssertShared(s, inPacked: true, outPacked: true));
    }

    /// <summary>fp16 storage and fp16 arithmetic (partial sums folded into fp32 every 32 rows) on a 576-row reduction.</summary>
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var b = new GraphBuilder("fp16", new TensorShape(64, 9, 11));
        var y = Conv(b, b.Input, 20, 3, 3, 2, 2, new Padding(1, 0, 1, 1), 1, 1, Activation.Relu, seed: 9);
        GpuVsCpu.Check(Device, b.Build(y), 2, tolerance, tolerance, options: Shared with { Precision = precision },
            inspect: s => AssertShared(s, inPacked: true, outPacked: true));
    }

    /// <summary>The variant is chosen by device kind: GPUs take the shared-memory GEMMs, CPU implementations (lavapipe)
    /// the register tiles, unless the choice forces one; on this lavapipe device the default ran conv2d_packed.</summary>
    [Test]
    public void ChosenByDeviceKind()
    {
        var auto = new KernelChoice();
        Assert.That(auto.SharedMemoryGemm(DeviceKind.DiscreteGpu) && auto.SharedMemoryGemm(DeviceKind.IntegratedGpu), "GPUs");
        Assert.That(auto.SharedMemoryGemm(DeviceKind.Cpu), Is.False, "CPU implementations");
        Assert.That(new KernelChoice(Gemm: GemmVariant.Registers).SharedMemoryGemm(DeviceKind.DiscreteGpu), Is.False, "forced off");
        Assert.That(new KernelChoice(Gemm: GemmVariant.SharedMemory).SharedMemoryGemm(DeviceKind.Cpu), "forced on");
        Assume.That(Device.Kind, Is.EqualTo(DeviceKind.Cpu), "the default's kernel below is lavapipe's");
        var b = new GraphBuilder("default", new TensorShape(8, 9, 7));
        var y = Conv(b, b.Input, 12, 3, 3, 2, 2, Padding.Symmetric(1), 1, 1, Activation.Relu, seed: 4);
        GpuVsCpu.Check(Device, b.Build(y), 1, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Ran.Kernel(s, Conv2dPackedKernel.Id, "conv");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dSharedKernel.Id.Shader));
        });
    }

    [Test]
    public void RepackPutsEachGroupsRowsTapsOuterAndPadsToTiles()
    {
        // 2 groups of 1 input and 1 output channel, 2 taps: w[co][ci][t] = 10 co + t + 1.
        float[] w = [1, 2, 11, 12];
        var packed = Conv2dSharedKernel.Repack(w, icG: 1, outC: 2, groups: 2, taps: 2);
        int tile = PointwiseConvSharedKernel.OutputChannelTile, rows = PointwiseConvSharedKernel.InputChannelSlice;
        Assert.That(packed, Has.Length.EqualTo(2 * rows * tile));
        Assert.That(new[] { packed[0], packed[tile], packed[rows * tile], packed[rows * tile + tile] }, Is.EqualTo(new float[] { 1, 2, 11, 12 }));
        Assert.That(packed.Count(v => v != 0), Is.EqualTo(4), "zero padding");
    }

    private static void AssertShared(InferenceSession s, bool inPacked, bool outPacked)
    {
        Ran.Kernel(s, Conv2dSharedKernel.Id, "conv");
        var spec = (Conv2dSharedConstants)s.Dispatches.Single(d => d.Label == "conv").Constants;
        Assert.That(((bool)spec.InPacked, (bool)spec.OutPacked), Is.EqualTo((inPacked, outPacked)), "packed input, packed output");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dPackedKernel.Id.Shader).And.No.Member(Conv2dKernel.Id.Shader));
    }
}
