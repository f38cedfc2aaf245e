using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Weights larger than one storage-buffer binding (VGG-16's 553 MB against lavapipe's 128 MiB), on a small
/// graph with the device's maxStorageBufferRange (or maxMemoryAllocationSize) lowered to 256 KiB, so that a weight page
/// holds 48K floats (256 KiB less the 64 KiB uniform window padded after it): the weights spread over several buffers,
/// each dispatch binding the one with its weights, and the layers too large for one buffer (the 3x3 convolution's 36,864
/// weights, the dense layer's 120,960) are split into layers over blocks of output units joined by a concatenation.
/// Tolerance abs 1e-4 (fp32) + rel 1e-3 against the oracle (He-scaled sums of up to 4,032 terms). Validation on: a
/// binding past the range would be an error.</summary>
internal class WeightPagesTests
{
    private const ulong Range = 256 * 1024;

    [TestCase(Precision.Float32, 1e-4, false)]
    [TestCase(Precision.Float16Storage, 3e-3, false)]
    [TestCase(Precision.Float32, 1e-4, true)]
    public void WeightsSpreadOverSeveralBuffersAndSplitLayersMatchTheOracle(Precision precision, double tolerance, bool allocationLimit)
    {
        // Either limit caps one buffer: the storage range a binding spans, or one memory allocation.
        using var device = TestDevices.Open(allocationLimit ? new DeviceOptions { MaxMemoryAllocationSize = Range } : new DeviceOptions { MaxStorageBufferRange = Range });
        long before = device.AllocatedBytes;
        GpuVsCpu.Check(device, Net(), 2, tolerance, 1e-3, options: new SessionOptions { Precision = precision }, what: $"split net, {precision}", inspect: s =>
        {
            Assert.That(s.WeightBuffers, Is.GreaterThan(2), "weights of 180K floats in pages of 48K");
            Assert.That(s.Dispatches.Select(d => d.WeightPage).Distinct().Count(), Is.EqualTo(s.WeightBuffers), "every page bound by some dispatch");
            var denseParts = s.Dispatches.Where(d => d.Shader == DenseKernel.Id.Shader && d.Label.StartsWith("fc/part", StringComparison.Ordinal)).ToList();
            Assert.That(denseParts, Has.Count.EqualTo(8), "4,032 x 30 in parts of at most 24K floats: 6 units, whole quads: 4");
            // A part may write straight into the concatenation that joins them (FoldConcatWriters), inside its ConcatPartWriteOp.
            var convs = s.Graph.Nodes.OfType<Conv2dOp>().Concat(s.Graph.Nodes.OfType<ConcatPartWriteOp>().Select(w => w.Part).OfType<Conv2dOp>());
            Assert.That(convs.Count(c => c.Name.StartsWith("conv2/part", StringComparison.Ordinal)), Is.EqualTo(4),
                "64 x 64 x 3 x 3 in parts of at most 12K floats: at most 20 channels, 4 parts of 16");
            Assert.That(s.Graph.Nodes.OfType<DenseOp>().All(d => d.Weights.Length <= 24 * 1024), Is.True);
        });
        Assert.That(device.AllocatedBytes, Is.EqualTo(before), "every weight buffer freed with the session");
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>A dense layer whose every block of 4 units exceeds a page cannot be split by output units: refused,
    /// naming the layer and the limit.</summary>
    [Test]
    public void ALayerThatCannotBeSplitIsRefusedNamingIt()
    {
        using var device = TestDevices.Open(new DeviceOptions { MaxStorageBufferRange = Range });
        var graph = SmallOpGraphs.Build("wide", new TensorShape(16, 28, 28), (b, x) => b.Dense("wide_fc", b.Flatten("flat", x), 8, Weights(12544 * 8, 12544, 3)));
        var ex = Assert.Throws<DeviceLimitException>(() => InferenceSession.Create(graph, device));
        Assert.That(ex!.Message, Does.Contain("Dense 'wide_fc'").And.Contain("one weight buffer"));
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>Input 16x9x7; 3x3 conv to 64 (9,216 weights); 3x3 conv 64 to 64 (36,864: split in 4); dense 4,032 to 30
    /// (120,960: split in 8); dense 30 to 10.</summary>
    private static ModelGraph Net() => SmallOpGraphs.Build("split", new TensorShape(16, 9, 7), (b, x) =>
    {
        var pad = Padding.Symmetric(1);
        x = b.Conv2d("conv1", x, 64, 3, 1, pad, 1, Weights(64 * 16 * 9, 16 * 9, 1), Weights(64, 1, 2), Activation.Relu);
        x = b.Conv2d("conv2", x, 64, 3, 1, pad, 1, Weights(64 * 64 * 9, 64 * 9, 3), Weights(64, 1, 4), Activation.Relu);
        x = b.Dense("fc", b.Flatten("flat", x), 30, Weights(4032 * 30, 4032, 5), Weights(30, 1, 6), Activation.Relu);
        return b.Dense("logits", x, 10, Weights(300, 30, 7), null);
    });

    private static float[] Weights(int count, int fanIn, int seed) => GpuVsCpu.RandomArray(count, seed, (float)Math.Sqrt(6.0 / fanIn));
}
