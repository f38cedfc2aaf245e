using GpuMobileNet.Bench;
using GpuMobileNet.Import.Tflite;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.Tflite.TfliteModelBuilder;

namespace GpuMobileNet.Tests.Import.Tflite;

/// <summary>Every mapped TFLite op on small awkward shapes (odd sizes, channels not a multiple of 4, stride 2, SAME
/// and VALID), random weights: TFLite's own interpreter (C API) on the same bytes is the oracle; our GPU and our CPU
/// reference executor must match it within 1e-4 of the output's largest magnitude (fp32).</summary>
public class TfliteOpTests : GpuTest
{
    private const byte Same = 0, Valid = 1, None = 0, Relu = 1, Relu6 = 3;

    public static IEnumerable<TestCaseData> Models()
    {
        yield return Case("conv 3x3 s2 SAME relu6 + bias, dw 3x3 VALID x2 relu", b =>
        {
            int x = b.Input(1, 9, 7, 5);
            int c = b.Op(3, [x, b.Weights([6, 3, 3, 5]), b.Weights([6])], [1, 5, 4, 6], ConvOptions, Conv(Same, 2, Relu6));
            return b.Op(4, [c, b.Weights([1, 3, 3, 12]), b.Weights([12])], [1, 3, 2, 12], DepthwiseOptions, Depthwise(Valid, 1, 2, Relu));
        });
        yield return Case("wide 3x3 conv (70 input channels) s2 SAME relu6", b =>
        {
            int x = b.Input(1, 5, 6, 70);
            return b.Op(3, [x, b.Weights([9, 3, 3, 70], 0.1f), b.Weights([9])], [1, 3, 3, 9], ConvOptions, Conv(Same, 2, Relu6));
        });
        yield return Case("fp16 weights through DEQUANTIZE, 1x1 conv, ADD of two branches with fused relu", b =>
        {
            int x = b.Input(1, 6, 5, 3);
            int w = b.Op(6, [b.Weights([4, 1, 1, 3], half: true)], [4, 1, 1, 3]);
            int a = b.Op(3, [x, w, b.Weights([4])], [1, 6, 5, 4], ConvOptions, Conv(Valid, 1, None));
            int c = b.Op(3, [x, b.Weights([4, 3, 3, 3]), b.Weights([4])], [1, 6, 5, 4], ConvOptions, Conv(Same, 1, None));
            return b.Op(0, [a, c], [1, 6, 5, 4], AddOptions, Activation(Relu));
        });
        yield return Case("MUL by a per-channel constant, average pool 3x3 s2 SAME, max pool 2x2 s2 VALID", b =>
        {
            int x = b.Input(1, 9, 11, 3);
            int m = b.Op(18, [x, b.Weights([3])], [1, 9, 11, 3], MulOptions, Activation(None));
            int a = b.Op(1, [m], [1, 5, 6, 3], PoolOptions, Pool(Same, 2, 3));
            return b.Op(17, [a], [1, 2, 3, 3], PoolOptions, Pool(Valid, 2, 2));
        });
        yield return Case("PAD, LOGISTIC, RELU6", b =>
        {
            int x = b.Input(1, 5, 4, 3);
            int p = b.Op(34, [x, b.Ints([4, 2], 0, 0, 1, 2, 2, 1, 0, 0)], [1, 8, 7, 3], PadOptions, Empty());
            int s = b.Op(14, [p], [1, 8, 7, 3]);
            return b.Op(21, [s], [1, 8, 7, 3]);
        });
        yield return Case("MUL by a scalar, HARD_SWISH", b =>
        {
            int x = b.Input(1, 5, 4, 3);
            int scaled = b.Op(18, [x, b.Weights([1], 4f)], [1, 5, 4, 3], MulOptions, Activation(None));
            return b.Op(117, [scaled], [1, 5, 4, 3]);
        });
        yield return Case("MEAN over H, W, FULLY_CONNECTED, SOFTMAX (a classifier head)", b =>
        {
            int x = b.Input(1, 7, 5, 6);
            int m = b.Op(40, [x, b.Ints(1, 2)], [1, 6], ReducerOptions, Reducer(false));
            int f = b.Op(9, [m, b.Weights([10, 6]), b.Weights([10])], [1, 10], FullyConnectedOptions, Activation(None));
            return b.Op(25, [f], [1, 10], SoftmaxOptions, Softmax(1));
        });
        yield return Case("SSD-style heads: RESHAPE to [1, anchors, 1, 4], CONCATENATION on axis 1, RESHAPE to [1, anchors, 4]", b =>
        {
            int x = b.Input(1, 6, 5, 4);
            int h1 = b.Op(3, [x, b.Weights([8, 1, 1, 4]), b.Weights([8])], [1, 6, 5, 8], ConvOptions, Conv(Same, 1, None));
            int h2 = b.Op(3, [x, b.Weights([12, 3, 3, 4]), b.Weights([12])], [1, 3, 3, 12], ConvOptions, Conv(Same, 2, None));
            int r1 = b.Op(22, [h1, b.Ints(1, 60, 1, 4)], [1, 60, 1, 4]);
            int r2 = b.Op(22, [h2, b.Ints(1, 27, 1, 4)], [1, 27, 1, 4]);
            int c = b.Op(2, [r1, r2], [1, 87, 1, 4], ConcatOptions, Concat(1));
            return b.Op(22, [c, b.Ints(1, 87, 4)], [1, 87, 4]);
        });
        yield return Case("channel CONCATENATION, then FULLY_CONNECTED on a flattened map (NHWC order)", b =>
        {
            int x = b.Input(1, 3, 2, 3);
            int a = b.Op(3, [x, b.Weights([2, 1, 1, 3]), b.Weights([2])], [1, 3, 2, 2], ConvOptions, Conv(Valid, 1, Relu));
            int c = b.Op(2, [x, a], [1, 3, 2, 5], ConcatOptions, Concat(-1));
            int r = b.Op(22, [c, b.Ints(1, 30)], [1, 30]);
            return b.Op(9, [r, b.Weights([7, 30]), b.Weights([7])], [1, 7], FullyConnectedOptions, Activation(Relu6));
        });
    }

    private static TestCaseData Case(string name, Func<TfliteModelBuilder, int> body)
    {
        var b = new TfliteModelBuilder(name.Length);
        b.Output(body(b));
        return new TestCaseData(b.Build(), b.OutputRank).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Models))]
    public void MatchesTflite(byte[] model, int outputRank)
    {
        var graph = TfliteImporter.Load(model, "test.tflite");
        var s = graph.Input.Shape;
        var nchw = GpuVsCpu.RandomArray(s.Elements, 11);
        using var tflite = new TfliteBaseline(TflitePaths.Library, model, 1);
        var expected = tflite.Run(TflitePaths.ToNhwc(nchw, s.C, s.H, s.W)).Single().Value;
        var o = graph.Output.Shape;
        // A rank-4 output is NCHW here, NHWC in TFLite; below rank 4 both are row-major.
        if (outputRank == 4)
            expected = ToNchw(expected, o.C, o.H, o.W);
        double tolerance = 1e-4 * Math.Max(1e-3, expected.Max(v => Math.Abs(v)));
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(graph, nchw), expected, tolerance, 1e-4, "CPU oracle vs TFLite");
        using var session = InferenceSession.Create(graph, Device);
        GpuVsCpu.AssertClose(session.Run(nchw), expected, tolerance, 1e-4, "GPU vs TFLite");
    }

    /// <summary>A full convolution over many input channels (SSD's extra layers: 3x3 s2 over 256) imports as one graph
    /// convolution and runs as one packed implicit-GEMM dispatch, like any built-in convolution: no slices summed.</summary>
    [Test]
    public void WideConvIsOneConvolutionOnThePackedKernel()
    {
        var b = new TfliteModelBuilder(7);
        int x = b.Input(1, 9, 7, 256);
        b.Output(b.Op(3, [x, b.Weights([36, 3, 3, 256], 0.05f), b.Weights([36])], [1, 5, 4, 36], ConvOptions, Conv(Same, 2, Relu6)));
        var graph = TfliteImporter.Load(b.Build(), "wide.tflite");
        Assert.That(graph.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Conv2d" }), "one convolution");
        var nchw = GpuVsCpu.RandomArray(graph.Input.Shape.Elements, 5);
        using var session = InferenceSession.Create(graph, Device);
        Ran.Kernel(session, Conv2dPackedKernel.Id, graph.Nodes[0].Name);
        var expected = ReferenceExecutor.Run(graph, nchw);
        GpuVsCpu.AssertClose(session.Run(nchw), expected, 1e-4 * expected.Max(v => Math.Abs(v)), 1e-4, "GPU vs CPU oracle");
    }

    private static float[] ToNchw(float[] nhwc, int c, int h, int w)
    {
        var nchw = new float[nhwc.Length];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++)
                nchw[ch * h * w + i] = nhwc[i * c + ch];
        return nchw;
    }
}
