using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_shared.comp, conv2d_packed's shared-memory GEMM variant for GPUs (forced on lavapipe through
/// <see cref="GemmVariant.SharedMemory"/>), against the CPU oracle: the cases of <see cref="DenseConvTests"/> (which also
/// cross its 32-channel tiles and 16-row slices partly: 20, 36, 68 output channels, reductions of 9 to 2304 rows), each
/// checking that conv2d_shared ran in the layouts it should (channels read and written one by one) and conv2d_packed
/// did not; the choice by device kind; its weight packing.</summary>
internal class Conv2dSharedKernelTests : DenseConvTests
{
    // 3x3 stride-1 layers of whole quads would run as Winograd by default: Direct keeps them on the kernel under test.
    private static readonly SessionOptions Shared = PointwiseConvPackedKernelTests.Packed with
    {
        Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.Direct, Gemm: GemmVariant.SharedMemory),
    };

    /// <inheritdoc/>
    protected override SessionOptions Options => Shared;

    /// <inheritdoc/>
    protected override KernelId Kernel => Conv2dSharedKernel.Id;

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

    /// <inheritdoc/>
    protected override void AssertLayouts(InferenceSession s, bool inPlanar, bool outPlanar)
    {
        Ran.Kernel(s, Conv2dSharedKernel.Id, "conv");
        var spec = (Conv2dSharedConstants)s.Dispatches.Single(d => d.Label == "conv").Constants;
        Assert.That(((bool)spec.InPacked, (bool)spec.OutPacked), Is.EqualTo((!inPlanar, !outPlanar)), "packed input, packed output");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dPackedKernel.Id.Shader).And.No.Member(Conv2dKernel.Id.Shader));
    }
}
