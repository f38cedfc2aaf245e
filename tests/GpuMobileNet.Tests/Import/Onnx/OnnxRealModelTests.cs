using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Kernels;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Real models from npm packages (scripts/setup) on a real photo: our GPU output, and the CPU oracle's,
/// within 1e-4 of the output's range of ONNX Runtime's, fp32.</summary>
public class OnnxRealModelTests : GpuTest
{
    private const double RangeFraction = 1e-4;

    private static string Model(string relative)
    {
        string path = Path.Combine(TestPaths.Cache, "onnx", relative);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/setup to populate models/cache");
        return path;
    }

    /// <summary>PaddleOCR's text-direction classifier (MobileNetV3-small style: hard-swish, squeeze-and-excite
    /// gates, Paddle's hard-sigmoid), input 3 x 48 x 192 normalised to [-1, 1].</summary>
    [Test]
    public void PaddleOcrDirectionClassifier()
    {
        string path = Model("ppocr/ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var graph = OnnxImporter.Load(path, new OnnxImportOptions { InputHeight = 48, InputWidth = 192 });
        var input = ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo("rocket.jpg")), 192, 48, 1 / 127.5f, [1, 1, 1], [1, 1, 1]);
        var expected = OrtReference.Run(path, input, [1, 3, 48, 192]).Single().Value;
        Compare(graph, input, expected, "ppocr cls");
    }

    /// <summary>PaddleOCR's PP-OCRv4 text detector (PPLCNetV3 backbone with hard-swish and SE gates, an FPN neck with
    /// nearest Resize, a DB head that upsamples with two stride-2 ConvTranspose + BatchNorm + ReLU), on a photo with
    /// ImageNet normalisation at 288 x 352 (dynamic input; both multiples of 32 as PaddleOCR requires). One output, the
    /// text probability map.</summary>
    [Test]
    public void PaddleOcrV4Detector()
    {
        const int h = 288, w = 352;
        string path = Model("ppocr/ch_PP-OCRv4_det_infer.onnx");
        var graph = OnnxImporter.Load(path, new OnnxImportOptions { InputHeight = h, InputWidth = w });
        Assert.That(graph.Nodes.OfType<GpuMobileNet.Graph.Ops.ConvTransposeOp>().Count(), Is.EqualTo(2));
        var input = ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo("coffee.png")), w, h, 1 / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        var expected = OrtReference.Run(path, input, [1, 3, h, w]).Single().Value;
        Assert.That(expected, Has.Length.EqualTo(h * w));
        Compare(graph, input, expected, "PP-OCRv4 det");
    }

    /// <summary>MediaPipe BlazeFace via Unity Barracuda's ONNX (opset 12): NHWC input turned NCHW by a Transpose,
    /// blocks widened by concatenating zeros, max pooling, and four outputs (scores and boxes per grid), each a
    /// head turned NHWC and reshaped to [1, anchors, k]. Input: a photo stretched to the square, values in [-1, 1].</summary>
    [TestCase("blazeface/face_detection_front_128x128_barracuda.onnx", 128)]
    [TestCase("blazeface/face_detection_back_256x256_barracuda.onnx", 256)]
    public void BlazeFace(string file, int size)
    {
        string path = Model(file);
        var graph = OnnxImporter.Load(path);
        Assert.That(graph.Outputs, Has.Count.EqualTo(4));
        var nchw = ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo("astronaut.png")), size, size, 1 / 127.5f, [1, 1, 1], [1, 1, 1]);
        var nhwc = OrtReference.ToNhwc(nchw, 3, size, size);
        var expected = OrtReference.Run(path, nhwc, [1, size, size, 3]);
        var all = ReferenceExecutor.RunAll(graph, nhwc);
        using var session = InferenceSession.Create(graph, Device, PointwiseConvPackedKernelTests.Packed);
        var shaders = session.Dispatches.Select(d => d.Shader).ToList();
        Assert.That(shaders, Has.No.Member(ConcatKernel.Id.Shader), "the channel pads are read unpadded as residuals");
        Assert.That(shaders.Count(d => d == TransposeKernel.Id.Shader), Is.EqualTo(1), "only the input's: the heads store channels-last");
        var gpu = session.Run(new Dictionary<string, float[]> { [graph.Input.Name] = nhwc });
        foreach (var output in graph.Outputs)
        {
            var want = expected[output.Name];
            double tolerance = RangeFraction * (want.Max() - want.Min());
            GpuVsCpu.AssertClose(all[output], want, tolerance, 0, $"{file} '{output.Name}': CPU oracle vs ONNX Runtime");
            GpuVsCpu.AssertClose(gpu[output.Name], want, tolerance, 0, $"{file} '{output.Name}': GPU vs ONNX Runtime");
        }
    }

    /// <summary>M-LSD tiny (tf2onnx, opset 11): NHWC RGBA input normalised in the graph, MobileNetV2 backbone, a dilated
    /// 3x3 conv (d5, on Winograd with each tile's pixels 5 apart), bilinear Resize, channel Split/Slice, and a score map kept only at
    /// its local maxima (Equal of the map and its max pool). Two outputs.</summary>
    [Test]
    public void MlsdTiny()
    {
        string path = Model("mlsd/mlsd_320x320_tiny.onnx");
        var graph = OnnxImporter.Load(path);
        const int size = 320;
        var rgb = ImagePreprocessor.ToTensor(ImageLoader.Load(TestPaths.Photo("camera.png")), size, size, 1f);
        var rgba = new float[4 * size * size];
        for (int i = 0; i < size * size; i++)
        {
            for (int c = 0; c < 3; c++) rgba[i * 4 + c] = rgb[c * size * size + i];
            rgba[i * 4 + 3] = 255;
        }
        var expected = OrtReference.Run(path, rgba, [1, size, size, 4]);
        var all = ReferenceExecutor.RunAll(graph, rgba);
        using var session = InferenceSession.Create(graph, Device);
        var gpu = session.Run(new Dictionary<string, float[]> { [graph.Input.Name] = rgba });
        Assert.That(graph.Outputs.Select(o => o.Name), Is.EquivalentTo(expected.Keys));
        foreach (var output in graph.Outputs)
        {
            var want = expected[output.Name];
            double tolerance = RangeFraction * (want.Max() - want.Min());
            GpuVsCpu.AssertClose(all[output], want, tolerance, 0, $"mlsd '{output.Name}': CPU oracle vs ONNX Runtime");
            GpuVsCpu.AssertClose(gpu[output.Name], want, tolerance, 0, $"mlsd '{output.Name}': GPU vs ONNX Runtime");
        }
    }

    private void Compare(ModelGraph graph, float[] input, float[] expected, string what)
    {
        double range = expected.Max() - expected.Min();
        Assert.That(range, Is.GreaterThan(0), $"{what}: ONNX Runtime's output is constant");
        double tolerance = RangeFraction * range;
        var cpu = ReferenceExecutor.Run(graph, input);
        GpuVsCpu.AssertClose(cpu, expected, tolerance, 0, $"{what}: CPU oracle vs ONNX Runtime (range {range:G3})");
        using var session = InferenceSession.Create(graph, Device);
        GpuVsCpu.AssertClose(session.Run(input), expected, tolerance, 0, $"{what}: GPU vs ONNX Runtime (range {range:G3})");
    }
}
