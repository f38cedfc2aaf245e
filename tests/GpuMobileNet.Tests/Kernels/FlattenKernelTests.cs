using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Flatten runs no kernel: its output is its input's memory, which the dense layer after it reads as C*H*W
/// features in NCHW order. Tolerance as the dense kernel's: abs 1e-5, rel 1e-4.</summary>
[OracleTestFor(typeof(FlattenOp))]
public class FlattenKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 1)]
    [TestCase(8, 4, 4, 3)]
    public void MatchesOracleWithoutADispatch(int c, int h, int w, int batch)
    {
        int features = c * h * w, units = 6;
        var g = SmallOpGraphs.Build("flatten", new TensorShape(c, h, w), (b, x) =>
            b.Dense("fc", b.Flatten("flat", b.Activate("relu", x, Activation.Relu)), units, TestData.Uniform(1, units * features), TestData.Uniform(2, units)));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<FlattenOp>().Count(), Is.EqualTo(1));
            Assert.That(s.Dispatches.Where(d => d.Source is FlattenOp).Select(d => d.Shader), Is.Empty, "no kernel runs the flatten");
            Assert.That(s.Memory.OffsetOf(s.Graph.Nodes.OfType<FlattenOp>().Single().Output),
                Is.EqualTo(s.Memory.OffsetOf(s.Graph.Nodes.OfType<FlattenOp>().Single().Input)), "its output is its input's memory");
        });
    }
}
