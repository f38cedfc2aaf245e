using GpuMobileNet.Bench;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.Onnx.OnnxModelBuilder;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Hand-written ONNX models covering each mapped op and attribute form, run three ways on the same
/// input: ONNX Runtime (the reference), our CPU oracle on the imported graph, and the GPU.</summary>
public class OnnxImportOpTests : GpuTest
{
    /// <summary>Depthwise and grouped convs with SAME_LOWER/SAME_UPPER on odd sizes, Clip in the opset 7 attribute form.</summary>
    [Test]
    public void ConvAutoPadGroupsAndClipAttributes()
    {
        var b = new OnnxModelBuilder(7, "x", [1, 6, 13, 11]);
        b.Node("Conv", ["x", b.Weights("w1", 6, 1, 3, 3), b.Weights("b1", 6)], "dw",
            IntList("kernel_shape", 3, 3), IntList("strides", 2, 2), Str("auto_pad", "SAME_LOWER"), Int("group", 6));
        b.Node("Clip", ["dw"], "dw6", Float("min", 0), Float("max", 6));
        b.Node("Conv", ["dw6", b.Weights("w2", 4, 3, 2, 3)], "grouped", IntList("strides", 1, 2), Str("auto_pad", "SAME_UPPER"), Int("group", 2));
        b.Node("Clip", ["grouped"], "y", Float("min", 0));
        b.Output("y", 1, 4, 7, 3);
        CheckAgainstOrt(b, inputScale: 4);
    }

    /// <summary>The PyTorch classifier head: BN, Clip with input bounds, GlobalAveragePool, a Reshape whose
    /// target shape is computed by Shape/Gather/Unsqueeze/Concat, Gemm with transB=0, alpha and beta, Softmax.</summary>
    [Test]
    public void ClassifierHeadWithShapeArithmetic()
    {
        var b = new OnnxModelBuilder(13, "x", [-1, 3, 9, 9]);
        b.Node("Conv", ["x", b.Weights("w", 8, 3, 3, 3)], "c", IntList("pads", 1, 0, 0, 1), IntList("strides", 2, 2));
        b.Node("BatchNormalization", ["c", b.Weights("g", 8), b.Weights("beta", 8), b.Weights("mean", 8), b.Floats("var", Enumerable.Range(1, 8).Select(i => i * 0.3f).ToArray(), 8)], "bn",
            Float("epsilon", 1e-3f));
        b.Node("Clip", ["bn", b.Floats("lo", [0f]), b.Floats("hi", [6f])], "r6");
        b.Node("GlobalAveragePool", ["r6"], "pool");
        b.Node("Shape", ["pool"], "shape");
        b.Node("Gather", ["shape", b.Ints("zero", [0])], "n", Int("axis", 0));
        b.Node("Unsqueeze", ["n", b.Ints("axes0", [0], 1)], "n1");
        b.Node("Concat", ["n1", b.Ints("minus1", [-1], 1)], "target", Int("axis", 0));
        b.Node("Reshape", ["pool", "target"], "flat");
        b.Node("Gemm", ["flat", b.Weights("fc", 8, 5), b.Weights("fcb", 1, 5)], "logits", Float("alpha", 0.5f), Float("beta", 2f));
        b.Node("Softmax", ["logits"], "y", Int("axis", 1));
        b.Output("y", -1, 5);
        CheckAgainstOrt(b);
    }

    /// <summary>Pad (opset 11 input form), AveragePool with padding, per-channel and scalar Mul/Sub/Div/Add with
    /// constants on either side, Add of two run-time tensors, Flatten, MatMul + bias Add, Relu, Dropout, Identity.</summary>
    [Test]
    public void PadPoolArithmeticAndMatMul()
    {
        var b = new OnnxModelBuilder(11, "x", [1, 4, 10, 7]);
        b.Node("Pad", ["x", b.Ints("pads", [0, 0, 1, 2, 0, 0, 2, 0])], "padded");
        b.Node("AveragePool", ["padded"], "pooled", IntList("kernel_shape", 3, 2), IntList("strides", 2, 2), IntList("pads", 1, 0, 1, 1));
        b.Node("Mul", ["pooled", b.Weights("scale", 1, 4, 1, 1)], "scaled");
        b.Node("Sub", [b.Floats("half", [0.5f]), "scaled"], "flipped");
        b.Node("Div", ["flipped", b.Floats("divisors", [3f, 2f, -4f, 1.5f], 4, 1, 1)], "divided");
        b.Node("Add", ["divided", "pooled"], "sum");
        b.Node("Relu", ["sum"], "relu");
        b.Node("Dropout", ["relu"], "dropped");
        b.Node("Flatten", ["dropped"], "flat", Int("axis", 1));
        b.Node("MatMul", ["flat", b.Weights("m", 4 * 7 * 5, 6)], "mm");
        b.Node("Add", ["mm", b.Weights("mb", 6)], "biased");
        b.Node("Identity", ["biased"], "y");
        b.Output("y", 1, 6);
        CheckAgainstOrt(b, inputScale: 2);
    }

    /// <summary>Pad with its opset 2 attribute form and Reshape of [N, C] back to [N, C, 1, 1].</summary>
    [Test]
    public void OldPadAttributesAndReshapeTo4d()
    {
        var b = new OnnxModelBuilder(9, "x", [1, 2, 5, 5]);
        b.Node("Pad", ["x"], "padded", IntList("pads", 0, 0, 2, 1, 0, 0, 0, 3), Str("mode", "constant"));
        b.Node("GlobalAveragePool", ["padded"], "pool");
        b.Node("Flatten", ["pool"], "flat");
        b.Node("Reshape", ["flat", b.Ints("to4", [0, -1, 1, 1])], "back");
        b.Node("Conv", ["back", b.Weights("w", 3, 2, 1, 1), b.Weights("b", 3)], "y");
        b.Output("y", 1, 3, 1, 1);
        CheckAgainstOrt(b, inputScale: 3);
    }

    /// <summary>LeakyRelu and PRelu (per-channel slopes), mapped to affine maps around a ReLU plus an Add.</summary>
    [Test]
    public void LeakyReluAndPerChannelPRelu()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 3, 7, 6]);
        b.Node("Conv", ["x", b.Weights("w", 5, 3, 3, 3)], "c", IntList("pads", 1, 1, 1, 1));
        b.Node("LeakyRelu", ["c"], "leaky", Float("alpha", 0.2f));
        b.Node("PRelu", ["leaky", b.Floats("slope", [0.1f, -0.5f, 2f, 0f, 1.5f], 5, 1, 1)], "y");
        b.Output("y", 1, 5, 7, 6);
        CheckAgainstOrt(b, inputScale: 2);
    }

    /// <summary>Split on channels (opset 13 sizes input) into branches joined again, and a Slice of channels.</summary>
    [Test]
    public void SplitAndSliceOfChannels()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 7, 5, 4]);
        var split = new GpuMobileNet.Export.Onnx.Proto.NodeProto { OpType = "Split", Name = "split" };
        split.Input.AddRange(["x", b.Ints("sizes", [2, 4, 1])]);
        split.Output.AddRange(["a", "b", "c"]);
        split.Attribute.Add(Int("axis", 1));
        b.AddNode(split);
        b.Node("Relu", ["b"], "rb");
        b.Node("Slice", ["rb", b.Ints("starts", [1], 1), b.Ints("ends", [3], 1), b.Ints("axes", [1], 1)], "sb");
        b.Node("Concat", ["c", "sb", "a"], "y", Int("axis", 1));
        b.Output("y", 1, 5, 5, 4);
        CheckAgainstOrt(b, inputScale: 2);
    }

    /// <summary>ConvTranspose in each attribute form: stride-2 2x2 (PP-OCR's head), pads with output_padding, grouped with
    /// dilation, output_shape (pads derived), and SAME_UPPER / SAME_LOWER on odd sizes.</summary>
    [Test]
    public void ConvTransposeAttributeForms()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 4, 5, 3]);
        b.Node("ConvTranspose", ["x", b.Weights("w1", 4, 3, 2, 2), b.Weights("b1", 3)], "up", IntList("strides", 2, 2));
        b.Node("ConvTranspose", ["up", b.Weights("w2", 3, 4, 3, 3)], "padded", IntList("strides", 2, 2), IntList("pads", 1, 0, 1, 2), IntList("output_padding", 1, 0));
        b.Node("ConvTranspose", ["padded", b.Weights("w3", 4, 1, 3, 2)], "grouped", Int("group", 2), IntList("dilations", 2, 1));
        b.Node("ConvTranspose", ["grouped", b.Weights("w4", 2, 2, 3, 3)], "shaped", IntList("strides", 2, 2), IntList("output_shape", 46, 20));
        b.Node("ConvTranspose", ["shaped", b.Weights("w5", 2, 2, 2, 3)], "upper", IntList("strides", 1, 2), Str("auto_pad", "SAME_UPPER"));
        b.Node("ConvTranspose", ["upper", b.Weights("w6", 2, 1, 3, 2), b.Weights("b6", 1)], "y", IntList("strides", 1, 2), Str("auto_pad", "SAME_LOWER"));
        b.Output("y", 1, 1, 46, 80);
        CheckAgainstOrt(b);
    }

    /// <summary>ReduceMean (opset 13 attribute axes) over channels, one spatial axis, then both spatial axes without
    /// keepdims: a 1/C pointwise conv, a one-column average pool, and a global average pool viewed as [N, C].</summary>
    [Test]
    public void ReduceMeanOverChannelsAndSpace()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 6, 7, 5]);
        b.Node("ReduceMean", ["x"], "channel_mean", IntList("axes", 1));
        b.Node("Conv", ["channel_mean", b.Weights("w", 4, 1, 1, 1)], "c");
        b.Node("ReduceMean", ["c"], "row_mean", IntList("axes", -1), Int("keepdims", 1));
        b.Node("Relu", ["row_mean"], "r");
        b.Node("ReduceMean", ["r"], "y", IntList("axes", 2, 3), Int("keepdims", 0));
        b.Output("y", 1, 4);
        CheckAgainstOrt(b, inputScale: 3);
    }

    /// <summary>ReduceMean at opset 18 (axes as an input) over H and W, kept, as a squeeze-and-excite gate's pooling.</summary>
    [Test]
    public void ReduceMeanAxesInputKeepdims()
    {
        var b = new OnnxModelBuilder(18, "x", [1, 5, 6, 9]);
        b.Node("ReduceMean", ["x", b.Ints("axes", [-2, -1], 2)], "pooled");
        b.Node("Sigmoid", ["pooled"], "gate");
        b.Node("Mul", ["x", "gate"], "y");
        b.Output("y", 1, 5, 6, 9);
        CheckAgainstOrt(b, inputScale: 2);
    }

    /// <summary>Softmax beyond the classifier: opset 13 along H of an image, and opset 11 (axis 1 flattens C, H, W into one).</summary>
    [TestCase(13, 2)]
    [TestCase(13, -1)]
    [TestCase(11, 1)]
    public void SoftmaxAlongAnAxis(int opset, int axis)
    {
        var b = new OnnxModelBuilder(opset, "x", [1, 3, 5, 4]);
        b.Node("Softmax", ["x"], "y", Int("axis", axis));
        b.Output("y", 1, 3, 5, 4);
        CheckAgainstOrt(b, inputScale: 4);
    }

    /// <summary>ceil_mode pooling (a last, partial window on odd sizes) and AveragePool with count_include_pad=1.</summary>
    [Test]
    public void CeilModeAndCountIncludePadPools()
    {
        var b = new OnnxModelBuilder(12, "x", [1, 3, 10, 9]);
        b.Node("MaxPool", ["x"], "m", IntList("kernel_shape", 3, 2), IntList("strides", 2, 2), Int("ceil_mode", 1));
        b.Node("AveragePool", ["m"], "a", IntList("kernel_shape", 2, 3), IntList("strides", 2, 2), IntList("pads", 1, 0, 0, 1), Int("ceil_mode", 1));
        b.Node("AveragePool", ["a"], "y", IntList("kernel_shape", 2, 2), IntList("pads", 1, 1, 0, 1), Int("count_include_pad", 1));
        b.Output("y", 1, 3, 3, 4);
        CheckAgainstOrt(b, inputScale: 3);
    }

    private void CheckAgainstOrt(OnnxModelBuilder b, float inputScale = 1)
    {
        var bytes = b.Bytes();
        var graph = OnnxImporter.Load(bytes, TestContext.CurrentContext.Test.Name + ".onnx");
        var s = graph.Input.Shape;
        var input = TestData.Uniform(5, s.Elements, -inputScale, inputScale);
        using var ort = new OrtBaseline(bytes, 1);
        var expected = ort.Run(input, 1, s.C, s.H, s.W);
        var cpu = ReferenceExecutor.Run(graph, input);
        Export.OrtCheck.AssertMaxAbs(cpu, expected, "imported graph on the CPU oracle vs ONNX Runtime");
        using var session = InferenceSession.Create(graph, Device);
        GpuVsCpu.AssertClose(session.Run(input), cpu, 1e-5, 1e-4, "imported graph on the GPU vs the CPU oracle");
    }
}
