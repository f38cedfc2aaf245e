using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Vulkan;

/// <summary>Every kernel's HLSL form (generated from its GLSL at build time, compiled at run time through libshaderc with
/// its specialisation constants as defines) runs on lavapipe and gives what the GLSL-built SPIR-V gives, on the sessions
/// below, which between them use every fp32 kernel; a last test checks that nothing was left out.</summary>
public class HlslKernelTests
{
    private static VulkanDevice _hlsl = null!;

    [OneTimeSetUp]
    public void Open() => _hlsl = TestDevices.Open(new DeviceOptions { KernelLanguage = ShaderLanguage.Hlsl });

    /// <summary>Per test, not only at the end: NUnit does not count a failed OneTimeTearDown as a failed test.</summary>
    [TearDown]
    public void NoValidationMessages()
    {
        try { TestDevices.AssertNoValidationMessages(_hlsl); }
        finally { _hlsl.ClearValidationMessages(); }
    }

    [OneTimeTearDown]
    public void Close() => _hlsl.Dispose();

    /// <summary>A MobileNetV2 in miniature (stem, one inverted residual block, a depthwise-separable stride-2 block,
    /// pooling, dense, softmax): every kind of layer of the real networks, but few distinct pipelines, since each is
    /// compiled twice here (HLSL through glslc, then by the driver).</summary>
    private static readonly ModelGraph Net = MiniMobileNet();

    private static ModelGraph MiniMobileNet()
    {
        var b = new GraphBuilder("mini_mobilenet", new TensorShape(3, 19, 17));
        int seed = 80;
        float[] W(int n, int fanIn) => GpuVsCpu.RandomArray(n, seed++, (float)Math.Sqrt(3.0 / fanIn));
        var x = b.Conv2d("stem", b.Input, 8, 3, 2, Padding.Same(19, 17, 3, 3, 2, 2), 1, W(8 * 3 * 9, 27), W(8, 1), Activation.Relu6);
        var e = b.Conv2d("expand", x, 24, 1, 1, Padding.Zero, 1, W(24 * 8, 8), W(24, 1), Activation.Relu6);
        var d = b.Conv2d("dw", e, 24, 3, 1, Padding.Symmetric(1), 24, W(24 * 9, 9), W(24, 1), Activation.Relu6);
        var p = b.Conv2d("project", d, 8, 1, 1, Padding.Zero, 1, W(8 * 24, 24), W(8, 1));
        x = b.Activate("relu", b.Add("residual", p, x), Activation.Relu); // a separate activation op where passes are off
        var d2 = b.Conv2d("dw2", x, 8, 3, 2, Padding.Same(x.Shape.H, x.Shape.W, 3, 3, 2, 2), 8, W(8 * 9, 9), W(8, 1), Activation.Relu6);
        var p2 = b.Conv2d("pw2", d2, 16, 1, 1, Padding.Zero, 1, W(16 * 8, 8), W(16, 1), Activation.Relu6);
        var pooled = b.Flatten("flatten", b.GlobalAvgPool("pool", p2));
        return b.Build(b.Softmax("softmax", b.Dense("logits", pooled, 5, W(5 * 16, 16), W(5, 1))));
    }

    private static IEnumerable<TestCaseData> Sessions()
    {
        yield return new TestCaseData(Net, new SessionOptions()).SetName("Hlsl_default_channel_packed");
        yield return new TestCaseData(Net, new SessionOptions { Passes = new PassOptions { PackChannels = false } }).SetName("Hlsl_planar_tiled");
        yield return new TestCaseData(Net, new SessionOptions { Kernels = KernelChoice.Simple, Passes = PassOptions.None }).SetName("Hlsl_simple_unfused");
        yield return new TestCaseData(Net, new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) }).SetName("Hlsl_fused_blocks");
        yield return new TestCaseData(Net, new SessionOptions { Kernels = new KernelChoice(Pointwise: PointwiseVariant.Subgroup), Passes = new PassOptions { PackChannels = false } }).SetName("Hlsl_subgroup_pointwise");
        yield return new TestCaseData(Net, new SessionOptions { Kernels = new KernelChoice(Pointwise: PointwiseVariant.SharedMemory), Passes = new PassOptions { PackChannels = false } }).SetName("Hlsl_shared_memory_pointwise");
        yield return new TestCaseData(PackedConv(), PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Gemm: GemmVariant.SharedMemory) })
            .SetName("Hlsl_conv2d_shared");
        yield return new TestCaseData(SmallOpGraphs.Build("pad", new TensorShape(5, 7, 6), (b, x) => b.Pad("pad", x, new Padding(1, 2, 0, 1))), new SessionOptions { Passes = PassOptions.None }).SetName("Hlsl_pad");
        yield return new TestCaseData(PackRoundTrip(), new SessionOptions()).SetName("Hlsl_layout_convert");
        yield return new TestCaseData(Passes.MoveScalarAffineAfterTransposeTests.NhwcHead(9, 7, 4), new SessionOptions()).SetName("Hlsl_transpose_packed_out");
        yield return new TestCaseData(SliceChannelsKernelTests.PackedSlices(), new SessionOptions()).SetName("Hlsl_slice_packed");
        yield return new TestCaseData(ImportedOps(), new SessionOptions { Passes = PassOptions.None }).SetName("Hlsl_imported_ops");
        yield return new TestCaseData(ShuffleOps(), new SessionOptions { Passes = new PassOptions { PackChannels = false } }).SetName("Hlsl_shuffle_ops");
        yield return new TestCaseData(ShuffleOps(), new SessionOptions()).SetName("Hlsl_shuffle_ops_channel_packed");
        yield return new TestCaseData(Kernels.SqueezeExciteKernelTests.Graph(12, 6, 5, 3, true), Kernels.SqueezeExciteKernelTests.Fused).SetName("Hlsl_squeeze_excite");
        // The packed global pool (one invocation a quad), then the gate's convolutions as one dispatch.
        yield return new TestCaseData(Kernels.SqueezeExciteKernelTests.Graph(12, 6, 5, 3, true, dense: true),
            new SessionOptions { Passes = new PassOptions { PackChannels = true, FuseExcitation = true } }).SetName("Hlsl_global_pool_packed_then_excitation");
        yield return new TestCaseData(Kernels.LrnKernelTests.Graph(7, 5, 3, 5, 1e-4f, 0.75f, 1f), new SessionOptions()).SetName("Hlsl_lrn");
        var conv3x3 = ConvGraphs.Conv(new TensorShape(8, 7, 5), 12, 3, 1, Padding.Symmetric(1), 1, true, Activation.Relu, residual: true);
        foreach (var a in new[] { Conv3x3Algorithm.WinogradF2, Conv3x3Algorithm.WinogradF4 })
            yield return new TestCaseData(conv3x3, new SessionOptions { Kernels = new KernelChoice(Conv3x3: a), Passes = new PassOptions { PackChannels = true } })
                .SetName($"Hlsl_{a}");
        yield return new TestCaseData(conv3x3, new SessionOptions
        {
            Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2, Gemm: GemmVariant.SharedMemory), Passes = new PassOptions { PackChannels = true },
        }).SetName("Hlsl_WinogradF2_shared_memory_gemm");
        yield return new TestCaseData(PackedConv(), PointwiseConvPackedKernelTests.Packed).SetName("Hlsl_conv2d_packed");
        yield return new TestCaseData(ConvTransposeKernelTests.Graph(16, 8, 8, 5, 7, 4, 4, 2, 2, 1, 1, 1, 1, 1, 0), PointwiseConvPackedKernelTests.Packed)
            .SetName("Hlsl_conv_transpose_packed_channelwise");
        yield return new TestCaseData(ConvTransposeKernelTests.Graph(8, 6, 1, 5, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new SessionOptions { Kernels = KernelChoice.Simple, Passes = PassOptions.None })
            .SetName("Hlsl_conv_transpose_gather");
        yield return new TestCaseData(Kernels.ConcatKernelTests.PackedParts(8, 3, 5), PointwiseConvPackedKernelTests.Packed).SetName("Hlsl_concat_packed_texels");
        yield return new TestCaseData(GatherChannelsKernelTests.UpsampledUnit(16, 5, 6), PointwiseConvPackedKernelTests.Packed).SetName("Hlsl_gather_channels");
        // pointwise_conv_packed's narrow-residual and channels-last builds.
        yield return new TestCaseData(Passes.FoldResidualChannelPadTests.Block(24, 8, true, share: false), PointwiseConvPackedKernelTests.Packed)
            .SetName("Hlsl_pointwise_narrow_residual");
        yield return new TestCaseData(Passes.FoldChannelsLastStoreTests.Head(6, 7, 5, [1, 2, 0], share: false), PointwiseConvPackedKernelTests.Packed)
            .SetName("Hlsl_pointwise_channels_last_store");
    }

    /// <summary>The ShuffleNet ops: a plain channel shuffle, grouped 1x1 convs (one reading through a folded shuffle),
    /// and a concatenation folded with the shuffle after it.</summary>
    private static ModelGraph ShuffleOps()
    {
        var b = new GraphBuilder("shuffle_ops", new TensorShape(12, 7, 5));
        int seed = 90;
        float[] W(int n) => GpuVsCpu.RandomArray(n, seed++, 0.5f);
        var plain = b.ChannelShuffle("shuffle_plain", b.Input, 4);
        var g1 = b.Conv2d("gconv1", b.Input, 12, 1, 1, Padding.Zero, 3, W(48), W(12), Activation.Relu);
        var d = b.Conv2d("dw", b.ChannelShuffle("shuffle", g1, 3), 12, 3, 1, Padding.Symmetric(1), 12, W(108));
        var g2 = b.Conv2d("gconv2", d, 12, 1, 1, Padding.Zero, 3, W(48));
        var a = b.Add("add", g2, plain);
        var left = b.SliceChannels("left", a, 0, 6);
        var right = b.Conv2d("right", b.SliceChannels("split", a, 6, 6), 6, 1, 1, Padding.Zero, 6, W(6));
        return b.Build(b.ChannelShuffle("shuffle_out", b.Concat("concat", [left, right], [6, 6]), 2));
    }

    /// <summary>The ops the ONNX importer added: mul, max pool, transpose, concat (with a zero block), channel slice,
    /// bilinear and nearest resize, equal, transposed convolution (planar, on conv_transpose_packed), softmax along an axis.</summary>
    private static ModelGraph ImportedOps()
    {
        var b = new GraphBuilder("imported_ops", new TensorShape(6, 9, 7));
        var x = b.Input;
        var m = b.Mul("mul", x, x);
        var p = b.MaxPool("max_pool", m, 3, 3, 2, 2, Padding.Symmetric(1));
        var t = b.Transpose("transpose", p, [0, 2, 1]);
        var back = b.Transpose("transpose_back", t, [0, 2, 1]);
        var c = b.Concat("concat", [back, null, p], [6, 2, 6]);
        var s = b.SliceChannels("slice", c, 1, 9);
        var up = b.Resize("resize_linear", s, 10, 8, true, ResizeCoordinates.HalfPixel, ResizeNearest.RoundPreferFloor, 2, 2);
        var near = b.Resize("resize_nearest", s, 10, 8, false, ResizeCoordinates.Asymmetric, ResizeNearest.Floor, 2, 2);
        var e = b.Equal("equal", up, near);
        var ct = b.ConvTranspose("conv_transpose", s, 9, 10, 8, 2, 2, 2, 2, 1, 1, 0, 0, 3, GpuVsCpu.RandomArray(9 * 3 * 4, 81), GpuVsCpu.RandomArray(9, 82));
        return b.Build(b.Add("sum", b.Add("mix", up, near), b.Add("equal_plus_transposed", e, b.AxisSoftmax("softmax_axis", ct, 9, 10, 8))));
    }

    /// <summary>A grouped, dilated 3x3 convolution with a fused residual on packed tensors (conv2d_packed).</summary>
    private static ModelGraph PackedConv()
    {
        var b = new GraphBuilder("packed_conv", new TensorShape(8, 9, 7));
        var y = b.Conv2d("conv", b.Input, 8, 3, 3, 1, 1, Padding.Symmetric(2), 2, GpuVsCpu.RandomArray(8 * 4 * 9, 95, 0.3f),
            GpuVsCpu.RandomArray(8, 96), Activation.None, 2, 2);
        return b.Build(b.Add("residual", y, b.Input, Activation.Relu));
    }

    private static ModelGraph PackRoundTrip()
    {
        var shape = new TensorShape(8, 5, 3);
        var input = new Value("input", shape);
        var packed = new Value("packed", shape, TensorLayout.Nc4hw4);
        var planar = new Value("planar", shape);
        return new ModelGraph("pack_unpack", input, [new LayoutConvertOp("pack", input, packed), new LayoutConvertOp("unpack", packed, planar)], planar);
    }

    [TestCaseSource(nameof(Sessions))]
    public void HlslBuiltKernelsMatchGlslBuiltOnes(ModelGraph graph, SessionOptions options)
    {
        var input = GpuVsCpu.RandomArray(2 * graph.Input.Shape.Elements, 5);
        using var glsl = InferenceSession.Create(graph, SharedDevice.Instance, options with { Batch = 2 });
        using var hlsl = InferenceSession.Create(graph, _hlsl, options with { Batch = 2 });
        Assert.That(hlsl.Dispatches.Select(d => d.Shader), Is.EqualTo(glsl.Dispatches.Select(d => d.Shader)), "same kernels both ways");
        GpuVsCpu.AssertClose(hlsl.Run(input), glsl.Run(input), 1e-6, 1e-5, $"{graph.Name}: HLSL-built vs GLSL-built");
    }

    [Test]
    public void PeakKernelLanesMatch()
    {
        var viaHlsl = new float[DevicePeak.Lanes];
        var viaGlsl = new float[DevicePeak.Lanes];
        DevicePeak.MeasureMilliseconds(_hlsl, 256, 1, viaHlsl);
        DevicePeak.MeasureMilliseconds(SharedDevice.Instance, 256, 1, viaGlsl);
        Assert.That(viaHlsl, Is.EqualTo(viaGlsl).Within(1e-6));
    }

    [Test]
    public void Rgba8PreprocessingMatches()
    {
        var photo = GpuMobileNet.Imaging.ImageLoader.Load(Path.Combine(TestPaths.RepoRoot, "models", "cache", "photos", "coffee.png"));
        var rgba = GpuMobileNet.Teach.FeatureExtractor.ToRgba(photo);
        using var glsl = InferenceSession.Create(Net, SharedDevice.Instance);
        using var hlsl = InferenceSession.Create(Net, _hlsl);
        var a = new float[glsl.OutputLength];
        var b = new float[hlsl.OutputLength];
        glsl.RunRgba8(rgba, photo.Width, photo.Height, a);
        hlsl.RunRgba8(rgba, photo.Width, photo.Height, b);
        GpuVsCpu.AssertClose(b, a, 1e-6, 1e-5, "RGBA8 preprocessing + network: HLSL-built vs GLSL-built");
    }

    /// <summary>The tests above, between them, run every fp32 kernel the engine embeds (checked on the GLSL device's
    /// plans, which the HLSL runs repeat dispatch for dispatch), so a new kernel cannot skip its HLSL check.</summary>
    [Test]
    public void TheTestsAboveCoverEveryFp32Kernel()
    {
        var covered = new HashSet<string> { DevicePeak.Id.Shader, GpuMobileNet.Kernels.PreprocessRgba8Kernel.Id.Shader };
        foreach (var data in Sessions())
        {
            var (graph, options) = ((ModelGraph)data.Arguments[0]!, (SessionOptions)data.Arguments[1]!);
            using var session = InferenceSession.Create(graph, SharedDevice.Instance, options with { Batch = 2, Warmup = false });
            covered.UnionWith(session.Dispatches.Select(d => d.Shader));
        }
        var kernels = ShaderLibrary.Names.Where(n => !n.EndsWith("_fp16", StringComparison.Ordinal) && !n.EndsWith("_fp16s", StringComparison.Ordinal));
        Assert.That(kernels.Except(covered), Is.Empty, "kernels whose HLSL form no test here runs");
    }
}
