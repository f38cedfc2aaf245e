using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_packed.comp (channel packing on, register-tile GEMMs) against the CPU oracle: the cases of
/// <see cref="DenseConvTests"/>, each checking that conv2d_packed ran in the layouts it should (planar reads and writes
/// 4 channels at a time), and its own tiling and the padded outputs of the packed kernels.</summary>
internal class Conv2dPackedKernelTests : DenseConvTests
{
    // 3x3 stride-1 layers of whole quads would run as Winograd by default: Direct keeps them on the kernel under test.
    // The register-tile GEMMs are a CPU device's default; forced, so a GPU runs them too.
    private static readonly SessionOptions Packed = PointwiseConvPackedKernelTests.Packed with
    {
        Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.Direct, Gemm: GemmVariant.Registers),
    };

    /// <summary>The per-layer tiling of the packed 1x1 kernels (<see cref="PackedPointwiseTiling"/>) with the group's input
    /// channels x taps as the reduction: ResNet's 7x7 stage (here 64 -> 64, 3x3, on a 7x7 plane) takes fewer than the 64
    /// pixel slots of 8 pixels x 8 lanes, and the kernel runs that tiling as the oracle computes.</summary>
    [Test]
    public void SmallPlanesTakeTheModelledTiling()
    {
        var b = new GraphBuilder("small_plane", new TensorShape(64, 7, 7));
        var y = Conv(b, b.Input, 64, 3, 3, 1, 1, Padding.Symmetric(1), 1, 1, Activation.Relu, seed: 7);
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            AssertLayouts(s, inPlanar: false, outPlanar: false);
            var spec = (Conv2dPackedConstants)s.Dispatches[1].Constants;
            var modelled = PackedPointwiseTiling.For(64 * 9, 64, 1, Activation.Relu, 49);
            Assert.That((spec.OcTile, spec.Px, spec.LocalSize), Is.EqualTo((modelled.OcTile, modelled.Px, modelled.LocalSize)));
            Assert.That(modelled.GroupsX(49) * modelled.PixelsPerGroup, Is.LessThan(64), modelled.ToString());
        });
    }

    /// <summary>A convolution whose output channels are not whole quads reading a packed input (SSD's 126-channel class
    /// heads, YOLO's 255-channel ones, 21 and 6 channels) writes its output padded to whole quads (zero filters) on the
    /// packed kernels, Winograd for 3x3 stride 1, and one layout conversion drops the padding for its planar readers.</summary>
    [TestCase(32, 18, 18, 126, 3, 1, 1, Activation.None, "winograd", TestName = "3x3 32->126 on Winograd (SSD's class head)")]
    [TestCase(12, 13, 11, 21, 3, 2, 0, Activation.Sigmoid, "conv2d_packed", TestName = "3x3 s2 12->21 on conv2d_packed")]
    [TestCase(24, 9, 7, 255, 1, 1, 0, Activation.LeakyRelu, "pointwise", TestName = "1x1 24->255 on the packed 1x1 (YOLO's head)")]
    [TestCase(24, 9, 7, 6, 1, 1, 0, Activation.None, "pointwise", TestName = "1x1 24->6 on the packed 1x1")]
    public void OutputPaddedToWholeQuads(int inC, int h, int w, int outC, int kernel, int stride, int pad, Activation act, string kernelName)
    {
        var b = new GraphBuilder("padded", new TensorShape(16, h, w));
        var x = Conv(b, b.Input, inC, 1, 1, 1, 1, Padding.Zero, 1, 1, Activation.Relu, seed: 2, name: "pack");
        var y = Conv(b, x, outC, kernel, kernel, stride, stride, Padding.Symmetric(pad), 1, 1, act, seed: 5);
        KernelId id = kernelName switch { "winograd" => WinogradConvKernel.InputId, "pointwise" => PointwiseConvPackedKernel.Id, _ => Conv2dPackedKernel.Id };
        var options = Packed with { Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2, Gemm: GemmVariant.Registers) };
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: options, inspect: s =>
        {
            Ran.Kernel(s, id, kernelName == "winograd" ? null : "conv"); // Winograd's dispatches are "conv (winograd input)" and so on
            var conv = s.Graph.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "conv");
            Assert.That((conv.Output.Shape.C, conv.Output.Layout), Is.EqualTo(((outC + 3) / 4 * 4, TensorLayout.Nc4hw4)), "padded, packed");
            Assert.That(s.Graph.Nodes.OfType<LayoutConvertOp>().Where(l => l.DropsPadding).Select(l => l.Input), Is.EqualTo(new[] { conv.Output }));
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dKernel.Id.Shader));
        });
    }

    /// <inheritdoc/>
    protected override SessionOptions Options => Packed;

    /// <inheritdoc/>
    protected override KernelId Kernel => Conv2dPackedKernel.Id;

    /// <inheritdoc/>
    protected override void AssertLayouts(InferenceSession s, bool inPlanar, bool outPlanar)
    {
        Ran.Kernel(s, Conv2dPackedKernel.Id, "conv");
        var spec = (Conv2dPackedConstants)s.Dispatches.Single(d => d.Label == "conv").Constants;
        Assert.That(((bool)spec.InPlanar, (bool)spec.OutPlanar), Is.EqualTo((inPlanar, outPlanar)), "planar input, planar output");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dKernel.Id.Shader));
    }
}
