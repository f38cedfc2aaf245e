using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>The sigmoid activation (common.glsl's activate, ACT_SIGMOID) standalone and fused into a conv and a
/// dense layer; exp on lavapipe is not correctly rounded: tolerance abs 1e-6 + rel 1e-5.</summary>
public class SigmoidActivationTests : GpuTest
{
    [TestCase(3, 7, 5, 2)]
    [TestCase(16, 13, 13, 1)]
    public void StandaloneAndFusedIntoConv(int c, int h, int w, int batch)
    {
        var weights = GpuVsCpu.RandomArray(8 * c * 9, 3, 0.5f);
        var g = SmallOpGraphs.Build("sigmoid", new TensorShape(c, h, w), (b, x) =>
            b.Activate("sig2", b.Conv2d("conv", b.Activate("sig", x, Activation.Sigmoid), 8, 3, 1, Padding.Symmetric(1), 1, weights), Activation.Sigmoid));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-5, inputScale: 10, inspect: s => Ran.Kernel(s, ActivationKernel.Id, "sig"));
    }
}
