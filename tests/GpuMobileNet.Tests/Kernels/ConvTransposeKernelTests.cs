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

/// <summary>ConvTranspose against the oracle (a scatter, as ONNX defines it): shaders/conv_transpose_packed.comp (the
/// implicit GEMM by output phase) packed where each group's channel counts are whole quads, planar (padded to quads)
/// where not, its channel-wise mode (one output channel per group), and the scalar gather shaders/conv_transpose.comp where asked for. Strides 2 and 3,
/// kernels 2 to 4 (smaller, equal to and larger than the stride: phases with no tap get the bias), pads (negative ones
/// too), output_padding, dilation, groups, odd sizes, channels not whole quads, batch 2. Each case checks which kernel
/// ran and in which layouts. fp32: abs 1e-4 + rel 1e-4 (sums of up to 288 products of O(1) values).</summary>
[OracleTestFor(typeof(ConvTransposeOp))]
internal class ConvTransposeKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    // inC, outC, groups, h, w, kh, kw, stride h, stride w, dilation, pad top, pad left, pad bottom, pad right, output padding
    [TestCase(8, 6, 1, 5, 7, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 2)] // 6 outputs: planar, padded to quads
    [TestCase(3, 5, 1, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)] // PyTorch's usual stride-2 3x3 with output_padding 1
    [TestCase(6, 4, 2, 4, 3, 4, 3, 3, 2, 1, 2, 0, 1, 1, 0, 1)] // groups, asymmetric pads, stride 3
    [TestCase(5, 5, 5, 7, 4, 3, 3, 2, 1, 2, 1, 2, 0, 0, 0, 2)] // depthwise (5 channels: planar), dilated
    [TestCase(10, 5, 5, 5, 7, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0, 2)] // ncnn's grouped DeconvolutionDepthWise: 2 inputs to 1 output per group
    [TestCase(4, 3, 1, 3, 3, 2, 3, 2, 2, 1, -1, -2, -1, 0, 1, 1)] // negative pads (output_shape beyond the taps)
    public void PlanarMatchesOracle(int inC, int outC, int groups, int h, int w, int kh, int kw, int sh, int sw, int dilation,
        int top, int left, int bottom, int right, int outputPadding, int batch)
    {
        var g = Graph(inC, outC, groups, h, w, kh, kw, sh, sw, dilation, top, left, bottom, right, outputPadding);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s => AssertRan(s, inPlanar: true, outPlanar: true));
    }

    [TestCase(24, 12, 1, 7, 9, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 2)] // the PP-OCR head's upsampling: kernel = stride, 12 outputs (a partial 16 tile)
    [TestCase(8, 20, 1, 5, 6, 3, 3, 3, 3, 1, 0, 0, 0, 0, 0, 1)] // kernel = stride 3, odd output
    [TestCase(16, 8, 1, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2)] // 3x3 stride 2, pads, output_padding
    [TestCase(8, 8, 2, 5, 4, 4, 3, 3, 2, 2, 2, 0, 1, 1, 1, 1)] // 2 groups, dilation 2, stride 3x2, asymmetric pads
    [TestCase(12, 4, 1, 4, 5, 2, 2, 3, 3, 1, 0, 0, 0, 0, 2, 1)] // kernel < stride: some phases have no tap (bias only)
    [TestCase(4, 8, 1, 3, 3, 2, 3, 2, 2, 1, -1, -2, -1, 0, 1, 2)] // negative pads
    [TestCase(12, 12, 12, 5, 7, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0, 2)] // depthwise, 4x4 stride 2 (channel-wise mode)
    [TestCase(8, 8, 8, 4, 3, 3, 3, 3, 2, 2, 1, 2, 0, 0, 1, 1)] // depthwise, dilated, stride 3x2
    [TestCase(16, 8, 8, 5, 7, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0, 2)] // mobilenet_yolo's upsampling: 2 inputs to 1 output per group
    [TestCase(12, 4, 4, 3, 5, 2, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1)] // 3 inputs to 1 output per group, dilated, stride 3x2
    public void PackedMatchesOracle(int inC, int outC, int groups, int h, int w, int kh, int kw, int sh, int sw, int dilation,
        int top, int left, int bottom, int right, int outputPadding, int batch)
    {
        var g = Graph(inC, outC, groups, h, w, kh, kw, sh, sw, dilation, top, left, bottom, right, outputPadding);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s => AssertRan(s, inPlanar: false, outPlanar: false));
    }

    /// <summary>Output channels not whole quads after a packed layer (the PP-OCR head's last, to 1 channel): the packed
    /// input is read as it is, the output written planar without its padding channels.</summary>
    [TestCase(8, 1)]
    [TestCase(12, 6)]
    public void PackedInputPlanarOutput(int inC, int outC)
    {
        var b = new GraphBuilder("packed_in", new TensorShape(inC, 5, 7));
        var x = b.Conv2d("pw", b.Input, inC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(inC * inC, 17, 0.5f));
        var y = b.ConvTranspose("ct", x, outC, 10, 14, 2, 2, 2, 2, 1, 1, 0, 0, 1, GpuVsCpu.RandomArray(inC * outC * 4, 18), GpuVsCpu.RandomArray(outC, 19));
        GpuVsCpu.Check(Device, b.Build(b.Activate("act", y, Activation.Sigmoid)), 2, 1e-4, 1e-4, options: Packed,
            inspect: s => AssertRan(s, inPlanar: false, outPlanar: true));
    }

    /// <summary>The scalar gather, kept as the baseline (fast convolutions off) and for planar depthwise layers, with
    /// the activation after it fused in.</summary>
    [TestCase(false, 8, 6, 1, Activation.Relu)]
    [TestCase(true, 8, 8, 8, Activation.Sigmoid)]
    public void GatherMatchesOracle(bool packingOff, int inC, int outC, int groups, Activation act)
    {
        var g = Graph(inC, outC, groups, 5, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, act: act);
        var options = packingOff ? new SessionOptions { Passes = new PassOptions { PackChannels = false } } : Packed with { Kernels = KernelChoice.Simple };
        GpuVsCpu.Check(Device, g, 2, 1e-5, 1e-4, options: options, inspect: s =>
        {
            Ran.Kernel(s, ConvTransposeKernel.Id, "ct");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(ConvTransposePackedKernel.Id.Shader));
            Assert.That(((ConvTransposeConstants)s.Dispatches.Single(d => d.Label == "ct").Constants).Act, Is.EqualTo(act), "activation fused");
        });
    }

    /// <summary>ConvTranspose → BatchNorm → activation (the PP-OCR head) runs as one conv_transpose_packed dispatch: the
    /// BatchNorm folded into its weights and bias (grouped: each weight scaled by its own output channel's factor), the
    /// activation applied as it stores; checked against the unfolded graph on the oracle.</summary>
    [TestCase(24, 12, 1, Activation.Relu, false)] // the head's 2x2 stride-2 upsampling, packed in and out
    [TestCase(16, 1, 1, Activation.Sigmoid, true)] // its last, to 1 channel: planar (padded to a quad)
    [TestCase(8, 8, 2, Activation.Relu6, false)] // groups
    [TestCase(16, 8, 8, Activation.HardSwish, false)] // channel-wise
    public void FoldsBatchNormAndActivation(int inC, int outC, int groups, Activation act, bool planar)
    {
        var g = Graph(inC, outC, groups, 5, 7, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, batchNorm: true, act: act);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, inspect: s =>
        {
            var compute = s.Dispatches.Where(d => d.Shader != LayoutConvertKernel.Id.Shader).ToList();
            Assert.That(compute.Select(d => d.Shader), Is.EqualTo(new[] { ConvTransposePackedKernel.Id.Shader }), "one dispatch: BatchNorm and activation folded");
            var spec = (ConvTransposePackedConstants)compute[0].Constants;
            Assert.That((spec.Act, (bool)spec.InPlanar, (bool)spec.OutPlanar), Is.EqualTo((act, planar, planar)));
        });
    }

    /// <summary>fp16 storage and fp16 arithmetic (sums folded into fp32 every 32 input channels) on 48 input channels x 4
    /// taps per phase, packed and planar, and the channel-wise mode; outputs O(1).</summary>
    [TestCase(Precision.Float16Storage, 48, 16, 1, 3e-3)]
    [TestCase(Precision.Float16, 48, 16, 1, 1e-2)]
    [TestCase(Precision.Float16Storage, 45, 10, 1, 3e-3)]
    [TestCase(Precision.Float16, 45, 10, 1, 1e-2)]
    [TestCase(Precision.Float16Storage, 16, 8, 8, 3e-3)]
    [TestCase(Precision.Float16, 16, 8, 8, 1e-2)]
    public void Fp16(Precision precision, int inC, int outC, int groups, double tolerance)
    {
        var g = Graph(inC, outC, groups, 5, 6, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0, weightScale: (float)Math.Sqrt(3.0 * groups / (inC * 4)));
        bool planar = inC % 4 != 0;
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Packed with { Precision = precision },
            inspect: s => AssertRan(s, planar, planar));
    }

    /// <summary>A hand-computed case: 1 x 2 input, 2 x 2 kernel, stride 2: each input pixel becomes its own scaled 2 x 2
    /// copy of the kernel.</summary>
    [Test]
    public void StrideEqualToKernelTilesScaledKernels()
    {
        var g = SmallOpGraphs.Build("tile", new TensorShape(1, 1, 2), (b, x) =>
            b.ConvTranspose("ct", x, 1, 2, 4, 2, 2, 2, 2, 1, 1, 0, 0, 1, [1, 2, 3, 4]));
        using var session = InferenceSession.Create(g, Device);
        Ran.Kernel(session, ConvTransposePackedKernel.Id, "ct");
        Assert.That(session.Run(new float[] { 1, 10 }), Is.EqualTo(new float[] { 1, 2, 10, 20, 3, 4, 30, 40 }));
    }

    [Test]
    public void WrongWeightCountIsRefusedNamingTheOp()
    {
        var b = new GraphBuilder("bad", new TensorShape(2, 3, 3));
        var e = Assert.Throws<InvalidGraphException>(() => b.ConvTranspose("up", b.Input, 3, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 1, new float[5]));
        Assert.That(e!.Message, Does.Contain("ConvTranspose 'up'").And.Contain("weights"));
    }

    internal static ModelGraph Graph(int inC, int outC, int groups, int h, int w, int kh, int kw, int sh, int sw, int dilation,
        int top, int left, int bottom, int right, int outputPadding, float weightScale = 1f, bool batchNorm = false, Activation act = Activation.None)
    {
        long outH = ConvTransposeOp.OutputSize(h, kh, sh, dilation, top, bottom, outputPadding);
        long outW = ConvTransposeOp.OutputSize(w, kw, sw, dilation, left, right, outputPadding);
        var weights = GpuVsCpu.RandomArray(inC * (outC / groups) * kh * kw, 11, weightScale);
        var bias = GpuVsCpu.RandomArray(outC, 12);
        return SmallOpGraphs.Build("conv_transpose", new TensorShape(inC, h, w), (b, x) =>
        {
            var y = b.ConvTranspose("ct", x, outC, (int)outH, (int)outW, kh, kw, sh, sw, dilation, dilation, top, left, groups, weights, bias);
            if (batchNorm)
                y = b.BatchNorm("bn", y, GpuVsCpu.RandomArray(outC, 13), GpuVsCpu.RandomArray(outC, 14), GpuVsCpu.RandomArray(outC, 15),
                    GpuVsCpu.RandomArray(outC, 16, 0.5f).Select(v => v + 1f).ToArray(), 1e-5f);
            return act == Activation.None ? y : b.Activate("act", y, act);
        });
    }

    /// <summary>conv_transpose_packed ran for the layer, in the layouts given, and the gather did not.</summary>
    private static void AssertRan(InferenceSession s, bool inPlanar, bool outPlanar)
    {
        Ran.Kernel(s, ConvTransposePackedKernel.Id, "ct");
        var spec = (ConvTransposePackedConstants)s.Dispatches.Single(d => d.Label == "ct").Constants;
        Assert.That(((bool)spec.InPlanar, (bool)spec.OutPlanar), Is.EqualTo((inPlanar, outPlanar)), "planar input, planar output");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(ConvTransposeKernel.Id.Shader));
    }
}
