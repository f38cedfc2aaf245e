using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Reference;

internal class ReferenceExecutorTests
{
    public static IEnumerable<TestCaseData> ConvCases()
    {
        // inC, outC, h, w, kh, kw, sh, sw, pad (t, l, b, r), groups, bias, residual, act
        yield return new TestCaseData(3, 4, 7, 9, 3, 3, 2, 2, (0, 1, 2, 1), 1, true, false, Activation.None).SetName("Conv_Dense_Stride2_AsymPad");
        yield return new TestCaseData(6, 4, 5, 6, 3, 2, 1, 2, (1, 0, 1, 1), 2, false, false, Activation.Relu).SetName("Conv_Groups2_RectKernel");
        yield return new TestCaseData(5, 5, 9, 7, 3, 3, 2, 2, (1, 1, 1, 1), 5, true, false, Activation.Relu6).SetName("Conv_Depthwise_Stride2");
        yield return new TestCaseData(4, 6, 5, 5, 1, 1, 1, 1, (0, 0, 0, 0), 1, true, true, Activation.Relu6).SetName("Conv_Pointwise_Residual");
        yield return new TestCaseData(6, 6, 6, 5, 3, 3, 1, 1, (1, 1, 1, 1), 6, false, true, Activation.None).SetName("Conv_Depthwise_Residual");
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvMatchesIm2col(int inC, int outC, int h, int w, int kh, int kw, int sh, int sw,
        (int Top, int Left, int Bottom, int Right) pad, int groups, bool withBias, bool withResidual, Activation act)
    {
        const int batch = 2;
        var b = new GraphBuilder("conv", new TensorShape(inC, h, w));
        var padding = new Padding(pad.Top, pad.Left, pad.Bottom, pad.Right);
        var (oh, ow) = (Conv2dOpSize(h, pad.Top + pad.Bottom, kh, sh), Conv2dOpSize(w, pad.Left + pad.Right, kw, sw));
        var weights = TestData.Uniform(1, outC * (inC / groups) * kh * kw);
        var bias = withBias ? TestData.Uniform(2, outC) : null;
        // The residual comes from a side branch with the conv's output shape; GraphBuilder has no residual
        // argument (passes create residuals), so the conv node gets it through `with`.
        var side = withResidual
            ? b.Conv2d("side", b.Input, outC, kh, kw, sh, sw, padding, 1, TestData.Uniform(3, outC * inC * kh * kw))
            : null;
        var y = b.Conv2d("c", b.Input, outC, kh, kw, sh, sw, padding, groups, weights, bias, act);
        var conv = (GpuMobileNet.Graph.Ops.Conv2dOp)b.Nodes[^1];
        var nodes = b.Nodes.Take(b.Nodes.Count - 1).Append(conv with { Residual = side }).ToList();
        var graph = new ModelGraph("conv", b.Input, nodes, y);
        var input = TestData.Uniform(4, batch * inC * h * w);
        var all = ReferenceExecutor.RunAll(graph, input, batch);
        var residualData = side is null ? null : all[side];

        Func<double, double> f = act switch
        {
            Activation.Relu => v => Math.Max(v, 0),
            Activation.Relu6 => v => Math.Clamp(v, 0, 6),
            _ => v => v,
        };
        var expected = ConvOracle.Run(input, batch, inC, h, w, weights, bias, outC, kh, kw, sh, sw, pad, groups, residualData, f);
        Assert.That(graph.Output.Shape, Is.EqualTo(new TensorShape(outC, oh, ow)));
        TestData.AssertClose(all[graph.Output], expected, 1e-6, TestContext.CurrentContext.Test.Name);
    }

    [Test]
    public void ConvTinyHandExample()
    {
        // 3x3 input 1..9, 2x2 kernel of ones: each output is the sum of a 2x2 window, e.g. 1+2+4+5 = 12.
        var b = new GraphBuilder("tiny", new TensorShape(1, 3, 3));
        var y = b.Conv2d("c", b.Input, 1, 2, 1, Padding.Zero, 1, [1, 1, 1, 1]);
        var output = ReferenceExecutor.Run(b.Build(y), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.That(output, Is.EqualTo(new float[] { 12, 16, 24, 28 }));
    }

    [Test]
    public void BatchNormMatchesFormula()
    {
        var b = new GraphBuilder("bn", new TensorShape(3, 2, 3));
        float[] gamma = [0.5f, 2f, -1f], beta = [0.1f, 0f, 3f], mean = [1f, -2f, 0.5f], variance = [4f, 0.25f, 1f];
        var y = b.BatchNorm("bn", b.Input, gamma, beta, mean, variance, 1e-3f);
        var input = TestData.Uniform(5, 2 * 18);
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        var expected = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            int c = i / 6 % 3;
            expected[i] = (float)(gamma[c] * (input[i] - mean[c]) / Math.Sqrt(variance[c] + 1e-3) + beta[c]);
        }
        TestData.AssertClose(output, expected, 1e-6, "batch norm");
    }

    [TestCase(Activation.Relu)]
    [TestCase(Activation.Relu6)]
    [TestCase(Activation.None)]
    public void ActivationClampsAsDefined(Activation act)
    {
        var b = new GraphBuilder("act", new TensorShape(1, 1, 5));
        var output = ReferenceExecutor.Run(b.Build(b.Activate("a", b.Input, act)), [-3f, -0f, 2.5f, 6f, 9f]);
        float[] expected = act switch
        {
            Activation.Relu => [0f, 0f, 2.5f, 6f, 9f],
            Activation.Relu6 => [0f, 0f, 2.5f, 6f, 6f],
            _ => [-3f, 0f, 2.5f, 6f, 9f],
        };
        Assert.That(output, Is.EqualTo(expected));
    }

    [Test]
    public void AddSumsThenActivates()
    {
        var b = new GraphBuilder("add", new TensorShape(2, 3, 1));
        var r = b.Activate("r", b.Input, Activation.Relu);
        var y = b.Add("sum", b.Input, r, Activation.Relu6);
        var input = TestData.Uniform(6, 2 * 6, -5, 5);
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        var expected = input.Select(v => (float)Math.Clamp(v + Math.Max(v, 0), 0, 6)).ToArray();
        TestData.AssertClose(output, expected, 1e-7, "add");
    }

    [Test]
    public void PadPlacesInputAndZeros()
    {
        var b = new GraphBuilder("pad", new TensorShape(2, 2, 3));
        var y = b.Pad("p", b.Input, new Padding(1, 0, 2, 1));
        var input = TestData.Uniform(7, 2 * 12, 1, 2);
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        Assert.That(y.Shape, Is.EqualTo(new TensorShape(2, 5, 4)));
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 2; c++)
        for (int oy = 0; oy < 5; oy++)
        for (int ox = 0; ox < 4; ox++)
        {
            int iy = oy - 1, ix = ox;
            float expected = iy is >= 0 and < 2 && ix < 3 ? input[((n * 2 + c) * 2 + iy) * 3 + ix] : 0f;
            Assert.That(output[((n * 2 + c) * 5 + oy) * 4 + ox], Is.EqualTo(expected), $"n{n} c{c} y{oy} x{ox}");
        }
    }

    [Test]
    public void AvgPoolExcludesPaddingFromTheCount()
    {
        // All-ones input: if padded zeros were counted, corners would average to 4/9.
        var b = new GraphBuilder("pool", new TensorShape(1, 3, 3));
        var y = b.AvgPool("p", b.Input, 3, 3, 1, 1, Padding.Symmetric(1));
        var output = ReferenceExecutor.Run(b.Build(y), Enumerable.Repeat(1f, 9).ToArray());
        Assert.That(output, Is.All.EqualTo(1f).Within(1e-7));
    }

    [Test]
    public void AvgPoolStridedAsymmetricMatchesWindowMeans()
    {
        var b = new GraphBuilder("pool", new TensorShape(3, 7, 6));
        var pad = new Padding(0, 1, 1, 0);
        var y = b.AvgPool("p", b.Input, 3, 2, 2, 2, pad);
        var input = TestData.Uniform(8, 2 * 3 * 42);
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        var (oh, ow) = (y.Shape.H, y.Shape.W);
        var expected = new float[output.Length];
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        {
            var window = new List<double>();
            for (int iy = oy * 2 - pad.Top; iy < oy * 2 - pad.Top + 3; iy++)
            for (int ix = ox * 2 - pad.Left; ix < ox * 2 - pad.Left + 2; ix++)
                if (iy is >= 0 and < 7 && ix is >= 0 and < 6) window.Add(input[((n * 3 + c) * 7 + iy) * 6 + ix]);
            expected[((n * 3 + c) * oh + oy) * ow + ox] = (float)window.Average();
        }
        TestData.AssertClose(output, expected, 1e-6, "avg pool");
    }

    [Test]
    public void FlattenKeepsMemoryOrder()
    {
        var b = new GraphBuilder("flat", new TensorShape(2, 3, 2));
        var y = b.Flatten("f", b.Input);
        var input = TestData.Uniform(9, 24);
        Assert.That(ReferenceExecutor.Run(b.Build(y), input, 2), Is.EqualTo(input));
    }

    [Test]
    public void DenseIsMatrixVectorPlusBias()
    {
        var b = new GraphBuilder("dense", new TensorShape(5, 1, 1));
        var weights = TestData.Uniform(10, 3 * 5);
        var bias = TestData.Uniform(11, 3);
        var y = b.Dense("d", b.Input, 3, weights, bias, Activation.Relu);
        var input = TestData.Uniform(12, 10);
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        var expected = new float[6];
        for (int n = 0; n < 2; n++)
        for (int o = 0; o < 3; o++)
            expected[n * 3 + o] = (float)Math.Max(0, bias[o] + Enumerable.Range(0, 5).Sum(i => (double)weights[o * 5 + i] * input[n * 5 + i]));
        TestData.AssertClose(output, expected, 1e-6, "dense");
    }

    [Test]
    public void SoftmaxIsNormalisedAndStableForLargeLogits()
    {
        var b = new GraphBuilder("sm", new TensorShape(4, 1, 1));
        var y = b.Softmax("s", b.Input);
        float[] input = [1000f, 1001f, 999f, -1000f, 0.1f, 0.2f, 0.3f, 0.4f];
        var output = ReferenceExecutor.Run(b.Build(y), input, 2);
        for (int n = 0; n < 2; n++)
        {
            var logits = input.Skip(n * 4).Take(4).Select(v => (double)v).ToArray();
            double denom = logits.Sum(v => Math.Exp(v - logits.Max()));
            for (int c = 0; c < 4; c++)
                Assert.That(output[n * 4 + c], Is.EqualTo(Math.Exp(logits[c] - logits.Max()) / denom).Within(1e-6));
            Assert.That(output.Skip(n * 4).Take(4).Sum(), Is.EqualTo(1.0).Within(1e-6));
        }
    }

    [Test]
    public void WrongInputLengthNamesGraphAndShape()
    {
        var b = new GraphBuilder("my_net", new TensorShape(3, 4, 5));
        var g = b.Build(b.Activate("a", b.Input, Activation.Relu));
        Assert.That(() => ReferenceExecutor.Run(g, new float[60], 2),
            Throws.ArgumentException.With.Message.Contains("my_net").And.Message.Contains("3x4x5").And.Message.Contains("120"));
    }

    [Test]
    public void RunAllReturnsEveryValue()
    {
        var b = new GraphBuilder("all", new TensorShape(2, 2, 2));
        var a = b.Activate("a", b.Input, Activation.Relu);
        var s = b.Add("s", a, b.Input);
        var g = b.Build(s);
        var values = ReferenceExecutor.RunAll(g, TestData.Uniform(13, 8));
        Assert.That(values.Keys, Is.EquivalentTo(new[] { g.Input, a, s }));
    }

    private static int Conv2dOpSize(int size, int pad, int k, int stride) => (size + pad - k) / stride + 1;
}
