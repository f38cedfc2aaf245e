using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Export;

/// <summary>Small graphs that reach the corners of the op mapping the built-in networks may not: asymmetric and
/// non-square convolutions, padded average pools, rank changes between [N, C, 1, 1] and [N, C], outputs that are
/// not vectors. Each runs in ONNX Runtime with batch 2 against the oracle (max abs 1e-4).</summary>
internal class OnnxExportOpTests
{
    private static float[] W(int seed, int count) => TestData.Uniform(seed, count, -0.5, 0.5);

    [Test]
    public void ConvWithAsymmetricPaddingStridesGroupsAndActivations()
    {
        var b = new GraphBuilder("conv_corners", new TensorShape(4, 10, 9));
        // TF "same" at stride 2 on even/odd sizes pads more at the bottom/right than at the top/left.
        var x = b.Conv2d("same_s2", b.Input, 8, 3, 2, Padding.Same(10, 9, 3, 3, 2, 2), 1, W(1, 8 * 4 * 9), W(2, 8), Activation.Relu6);
        x = b.Conv2d("dw_odd_pad", x, 8, 3, 1, 1, 2, new Padding(0, 2, 1, 0), 8, W(3, 8 * 3), null, Activation.Relu);
        x = b.Conv2d("grouped", x, 4, 1, 1, Padding.Zero, 2, W(4, 4 * 4), W(5, 4));
        OrtCheck.AssertAgrees(b.Build(x), 2);
    }

    [TestCase(Activation.None)]
    [TestCase(Activation.Relu)]
    [TestCase(Activation.Relu6)]
    public void ConvWithResidualAddsBeforeTheActivation(Activation act)
    {
        var input = new Value("input", new TensorShape(6, 5, 5));
        var mid = new Value("mid", input.Shape);
        var output = new Value("out", input.Shape);
        // Large weights make conv + residual exceed 6 and go negative, so the order of add and clip matters.
        var nodes = new Node[]
        {
            new Conv2dOp("pw", input, mid, 1, 1, 1, 1, Padding.Zero, 1, W(6, 36), W(7, 6)),
            new Conv2dOp("dw_res", mid, output, 3, 3, 1, 1, Padding.Symmetric(1), 6, TestData.Uniform(8, 54, -3, 3), W(9, 6), act, Residual: input),
        };
        OrtCheck.AssertAgrees(new ModelGraph("residual_" + act, input, nodes, output), 2);
    }

    [Test]
    public void BatchNormActivationsPadAndPaddedAveragePool()
    {
        var b = new GraphBuilder("pool_corners", new TensorShape(3, 7, 8));
        var x = b.BatchNorm("bn", b.Input, [1.5f, 0.5f, 1f], [0.1f, -0.2f, 0f], [0.3f, -0.1f, 0.2f], [0.5f, 1.5f, 2f], 1e-3f);
        x = b.Activate("relu6", x, Activation.Relu6);
        x = b.Activate("identity", x, Activation.None);
        x = b.Pad("pad", x, new Padding(1, 0, 2, 3));
        // Padded windows average over real pixels only; a 3x3 window at a corner covers 4 of them.
        x = b.AvgPool("pool", x, 3, 3, 2, 2, Padding.Symmetric(1));
        x = b.Activate("relu", x, Activation.Relu);
        OrtCheck.AssertAgrees(b.Build(x), 2);
    }

    [Test]
    public void ClassifierHeadMixesVectorsAndPooledTensors()
    {
        var b = new GraphBuilder("head_corners", new TensorShape(8, 4, 4));
        var pooled = b.GlobalAvgPool("gap", b.Input);                        // [N, 8, 1, 1]
        var dense = b.Dense("fc1", pooled, 8, W(10, 64), W(11, 8), Activation.Relu); // fed without Flatten
        var sum = b.Add("skip", pooled, dense, Activation.Relu6);            // rank 4 + rank 2
        var flat = b.Flatten("flatten", sum);
        var both = b.Add("twice", flat, dense);                              // rank 2 + rank 2
        var logits = b.Dense("fc2", both, 5, W(12, 40));
        OrtCheck.AssertAgrees(b.Build(b.Softmax("softmax", logits)), 2);
    }

    [Test]
    public void NonVectorOutputKeepsItsNameAndFourDimensions()
    {
        var b = new GraphBuilder("feature_map", new TensorShape(3, 6, 6), "pixels");
        var y = b.Conv2d("features", b.Input, 4, 3, 1, Padding.Symmetric(1), 1, W(13, 4 * 27));
        var model = OnnxExporterCheck.Parse(b.Build(y), batch: 2);

        Assert.That(model.Graph.Input.Single().Name, Is.EqualTo("pixels"));
        Assert.That(OnnxExporterCheck.Dims(model.Graph.Input.Single()), Is.EqualTo(new long[] { 2, 3, 6, 6 }));
        Assert.That(model.Graph.Output.Single().Name, Is.EqualTo("features"));
        Assert.That(OnnxExporterCheck.Dims(model.Graph.Output.Single()), Is.EqualTo(new long[] { 2, 4, 6, 6 }));
        OrtCheck.AssertAgrees(b.Build(y), 2);
    }

    [Test]
    public void VectorOutputOfAConvIsFlattenedUnderTheOutputName()
    {
        var b = new GraphBuilder("conv_logits", new TensorShape(6, 3, 3));
        var pooled = b.GlobalAvgPool("gap", b.Input);
        var y = b.Conv2d("logits", pooled, 4, 1, 1, Padding.Zero, 1, W(14, 24), W(15, 4));
        var model = OnnxExporterCheck.Parse(b.Build(y), batch: 2);

        Assert.That(model.Graph.Output.Single().Name, Is.EqualTo("logits"));
        Assert.That(OnnxExporterCheck.Dims(model.Graph.Output.Single()), Is.EqualTo(new long[] { 2, 4 }));
        Assert.That(model.Graph.Node[^1].OpType, Is.EqualTo("Flatten"));
        OrtCheck.AssertAgrees(b.Build(y), 2);
    }

    [Test]
    public void SoftmaxOverChannelsOfAFeatureMapAndDenseOnAFeatureMap()
    {
        // The builder refuses these shapes, but the ops and the oracle define them: softmax over channels at each
        // pixel, and a dense layer over the NCHW-ordered C*H*W values.
        var input = new Value("input", new TensorShape(4, 3, 2));
        var soft = new Value("soft", input.Shape);
        var fc = new Value("fc", new TensorShape(3, 1, 1));
        var nodes = new Node[]
        {
            new SoftmaxOp("softmax", input, soft),
            new DenseOp("dense", soft, fc, W(16, 3 * 24), W(17, 3)),
        };
        OrtCheck.AssertAgrees(new ModelGraph("feature_map_softmax", input, nodes, soft), 2);
        OrtCheck.AssertAgrees(new ModelGraph("feature_map_dense", input, nodes, fc), 2);
    }
}
