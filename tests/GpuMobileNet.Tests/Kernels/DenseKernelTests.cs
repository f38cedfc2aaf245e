using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/dense.comp; tolerance abs 1e-4 + rel 1e-4 (up to 1280 terms, He-scaled). Widths that are multiples
/// of 4 run 4 output units per invocation (QUADS), with a partial last quad where the output count is not a multiple
/// of 4; other widths one unit per invocation.</summary>
[OracleTestFor(typeof(DenseOp))]
internal class DenseKernelTests : GpuTest
{
    [TestCase(7, 5, true, Activation.None, 2)]
    [TestCase(1280, 1000, true, Activation.None, 1)]
    [TestCase(1280, 256, true, Activation.Relu, 3)]
    [TestCase(33, 65, false, Activation.Relu6, 1)]
    [TestCase(64, 10, true, Activation.HardSigmoid, 2)]
    [TestCase(960, 240, true, Activation.Relu, 1)]
    [TestCase(12, 7, false, Activation.None, 3)]
    [TestCase(240, 4, true, Activation.HardSwish, 2)]
    public void MatchesOracle(int inF, int outF, bool bias, Activation act, int batch)
    {
        GpuVsCpu.Check(Device, Graph(inF, outF, bias, act), batch, 1e-4, 1e-4, inspect: s =>
        {
            var dense = (DenseConstants)s.Dispatches.Single(d => d.Shader == DenseKernel.Id.Shader).Constants;
            Assert.That((bool)dense.Quads, Is.EqualTo(inF % 4 == 0), "4 units per invocation where the width is whole texels");
        });
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance) =>
        // 256 inputs: the fp16-arithmetic build folds its partial sums into fp32 8 times; 30 outputs: a partial quad.
        GpuVsCpu.Check(Device, Graph(256, 30, true, Activation.Relu6), 2, tolerance, tolerance, options: new SessionOptions { Precision = precision });

    internal static ModelGraph Graph(int inF, int outF, bool bias, Activation act)
    {
        float scale = (float)Math.Sqrt(3.0 / inF);
        return SmallOpGraphs.Build("dense", new TensorShape(inF, 1, 1), (b, x) => b.Dense("fc", x, outF,
            GpuVsCpu.RandomArray(inF * outF, 3, scale), bias ? GpuVsCpu.RandomArray(outF, 4) : null, act));
    }
}
