using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/add.comp, a float per invocation (3x5x7: no whole vec4s) and a vec4 per invocation (samples of whole
/// vec4s), planar and channel-packed, fp32 (abs 1e-6: one addition per element) and fp16 storage (abs 4e-3, inputs in
/// [0, 6]: half a unit in the last place of fp16 at 6 is 2e-3).</summary>
[OracleTestFor(typeof(AddOp))]
internal class AddKernelTests : GpuTest
{
    [TestCase(3, 5, 7, Activation.None, 2, false, Precision.Float32)]
    [TestCase(24, 56, 56, Activation.Relu6, 1, true, Precision.Float32)]
    [TestCase(5, 3, 4, Activation.Relu, 2, true, Precision.Float32)]
    [TestCase(8, 7, 9, Activation.None, 2, true, Precision.Float16Storage)]
    public void MatchesOracle(int c, int h, int w, Activation act, int batch, bool vec4, Precision precision)
    {
        // Both addends come from the input through activations, so the add reads two distinct tensors.
        var g = SmallOpGraphs.Build("add", new TensorShape(c, h, w), (b, x) =>
            b.Add("add", b.Activate("a", x, Activation.Relu), b.Activate("b", x, Activation.Relu6), act));
        double tolerance = precision == Precision.Float32 ? 1e-6 : 4e-3;
        foreach (bool packed in new[] { false, true })
        {
            var options = new SessionOptions { Precision = precision, Passes = new PassOptions { PackChannels = packed } };
            GpuVsCpu.Check(Device, g, batch, tolerance, 0, options: options, what: packed ? "packed" : "planar", inspect: s =>
            {
                Ran.Kernel(s, AddKernel.Id, "add");
                var spec = (AddConstants)s.Dispatches.Single(d => d.Label == "add").Constants;
                // Packing may pad 3 channels to a quad, which makes whole vec4s: only the planar scalar case is pinned.
                if (vec4 || !packed) Assert.That((bool)spec.Vec4, Is.EqualTo(vec4), "vec4 per invocation");
            });
        }
    }
}
