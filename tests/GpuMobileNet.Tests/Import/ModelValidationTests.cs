using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Hardening;
using GpuMobileNet.Tests.Import.Onnx;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.ModelImporterTests;

namespace GpuMobileNet.Tests.Import;

/// <summary>The validation every import ends with: constants finite (any format, folded BatchNorm included), and
/// every op a kernel cannot run listed at once, naming the node and why, rather than the first one at session creation.</summary>
public class ModelValidationTests : GpuTest
{
    /// <summary>An op no kernel runs (the engine has none of this type).</summary>
    private sealed record NoKernelOp(string Name, Value Input, Value Output) : Node(Name, Output)
    {
        public override IReadOnlyList<Value> Inputs => [Input];
        public override string OpType => "NoKernel";
    }

    private static ModelGraph TwoOpsWithoutKernels()
    {
        var x = new Value("x", new TensorShape(3, 5, 4));
        var a = new NoKernelOp("first", x, new Value("a", x.Shape));
        var b = new NoKernelOp("second", a.Output, new Value("b", x.Shape));
        return new ModelGraph("g", x, [a, b], b.Output);
    }

    [Test]
    public void DryRunListsEveryOpWithoutAKernel()
    {
        var message = AssertRefused(() => ModelValidation.Check(TwoOpsWithoutKernels(), "g.model"), "g.model",
            "2 ops cannot run on the GPU", "NoKernel 'first' has no GPU kernel", "NoKernel 'second' has no GPU kernel");
        Assert.That(message.Split("no GPU kernel").Length - 1, Is.EqualTo(2), "each op once");
    }

    [Test]
    public void SessionCreationAlsoListsEveryOpWithoutAKernel()
    {
        var e = Assert.Throws<NotSupportedException>(() => InferenceSession.Create(TwoOpsWithoutKernels(), Device))!;
        Assert.That(e.Message, Does.Contain("NoKernel 'first'").And.Contain("NoKernel 'second'"));
    }

    [Test]
    public void OnnxListsEveryUnsupportedNodeAtOnce()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 4, 4]);
        b.Node("Conv", ["x", b.Weights("w", 3, 2, 1, 1)], "c");
        b.Node("Erf", ["c"], "e");
        b.Node("Relu", ["e"], "r");
        b.Node("Sin", ["r"], "y");
        b.Output("y", 1, 3, 4, 4);
        AssertRefused(() => ModelImporter.Load(b.Bytes(), "two.onnx"), "two.onnx", "2 nodes are not supported",
            "node 'e_node' (Erf): op Erf is not supported", "node 'y_node' (Sin): op Sin is not supported");
    }

    [TestCase(float.NaN, "NaN")]
    [TestCase(float.PositiveInfinity, "Infinity")]
    public void NonFiniteOnnxInitializerIsRefusedNamingTheTensor(float bad, string shown)
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 4, 4]);
        b.Node("Conv", ["x", b.Floats("conv_weights", [0.5f, 1, bad, 2, 3, 4], 3, 2, 1, 1)], "y");
        b.Output("y", 1, 3, 4, 4);
        AssertRefused(() => ModelImporter.Load(b.Bytes(), "nan.onnx"), "nan.onnx", "node 'y_node' (Conv)",
            "constant 'conv_weights'", $"non-finite value ({shown}) at index 2");
    }

    [Test]
    public void InfiniteClipBoundIsNoBound()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 2, 4, 4]);
        b.Node("Conv", ["x", b.Weights("w", 3, 2, 1, 1)], "c");
        b.Node("Clip", ["c", b.Floats("lo", [0f]), b.Floats("hi", [float.PositiveInfinity])], "y");
        b.Output("y", 1, 3, 4, 4);
        Assert.That(ModelImporter.Load(b.Bytes(), "clip.onnx").Nodes.Last().OpType, Is.EqualTo("Activation"));
    }

    [Test]
    public void FoldedBatchNormOverflowIsCaughtForEveryFormat()
    {
        // A TF.js model's BatchNorm folds to a finite scale times a finite weight, whose product overflows float32.
        using var dir = new TempDir();
        var json = new SyntheticTfjs(2, 2, 3).PointwiseIdentity("conv", 100f).BatchNorm("bn", gamma: 1e37f).WriteTo(dir);
        AssertRefused(() => ModelImporter.Load(json), json, "Conv2d 'conv'", "not finite", "folding BatchNorm 'bn'");
        // The same through ONNX: BatchNormalization after a Conv.
        var b = new OnnxModelBuilder(13, "x", [1, 3, 2, 2]);
        b.Node("Conv", ["x", b.Floats("w", [100, 0, 0, 0, 100, 0, 0, 0, 100], 3, 3, 1, 1)], "c");
        b.Node("BatchNormalization", ["c", b.Floats("g", [1e37f, 1, 1], 3), b.Floats("beta", [0, 0, 0], 3), b.Floats("m", [0, 0, 0], 3), b.Floats("v", [1, 1, 1], 3)], "y");
        b.Output("y", 1, 3, 2, 2);
        AssertRefused(() => ModelImporter.Load(b.Bytes(), "bn.onnx"), "bn.onnx", "not finite", "folding BatchNorm");
    }
}
