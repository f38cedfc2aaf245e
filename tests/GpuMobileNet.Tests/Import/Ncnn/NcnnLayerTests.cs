using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Ncnn;

/// <summary>The layer forms benchncnn's models use beyond the classifiers, and the corners of ncnn's rules, in small
/// .param files on odd sizes against ncnn itself (ncnn_run, same seeded weights and input, within 1e-4 of each
/// output's range): pooling's full / SAME / count-padding modes, SAME and dilated convolutions with leaky and clip
/// activations, depthwise, grouped and plain deconvolution, Crop both ways, HardSigmoid, Clip, BinaryOp, Eltwise coefficients,
/// BatchNorm, Reduction, LRN, Permute, Reshape, Softmax on an axis, Slice, ShuffleChannel reversed, Concat, Interp,
/// channel Padding, and Concat, Slice and Crop on inner axes.</summary>
public class NcnnLayerTests : GpuTest
{
    private const string Windows = """
        7767517
        9 14
        Input in 0 1 data 0=11 1=9 2=6
        Split sp 1 6 data d1 d2 d3 d4 d5 d6
        Pooling p1 1 1 d1 o1 0=0 1=3 2=2
        Pooling p2 1 1 d2 o2 0=1 1=3 2=2 3=1 6=1
        Pooling p3 1 1 d3 o3 0=1 1=2 2=2 5=2
        Convolution c1 1 1 d4 o4 0=5 1=3 3=2 4=-233 5=1 6=270 9=2 -23310=1,1.000000e-01
        ConvolutionDepthWise dw 1 1 d5 dwo 0=6 1=3 2=2 4=2 5=1 6=54 7=6 9=3 -23310=2,-1.000000e+00,2.000000e+00
        DeconvolutionDepthWise up 1 1 dwo o5 0=6 1=4 3=2 4=1 5=1 6=96 7=6
        Crop cr 1 1 d6 o6 2=2 3=11 4=9 5=3
        """;

    private const string Arithmetic = """
        7767517
        10 15
        Input in 0 1 data 0=7 1=5 2=4
        Split sp 1 6 data a b c d e f
        HardSigmoid hs 1 1 a ha 0=2.000000e-01 1=5.000000e-01
        Clip cl 1 1 b cb 0=-5.000000e-01 1=7.000000e-01
        BinaryOp bo 2 1 ha cb s1 0=1
        BinaryOp bs 1 1 c s2 0=3 1=1 2=4.000000e+00
        Eltwise el 3 1 s1 s2 d s3 0=1 -23301=3,1.000000e+00,-2.000000e+00,5.000000e-01
        BatchNorm bn 1 1 e be 0=4 1=1.000000e-03
        Reduction rd 1 1 be r1 0=0 1=0 -23303=2,1,2 4=1 5=1
        LRN lr 1 1 f l1 0=0 1=3 2=5.000000e-01 3=7.500000e-01 4=2.000000e+00
        """;

    private const string Layout = """
        7767517
        12 17
        Input in 0 1 data 0=6 1=4 2=8
        Split sp 1 5 data a b c d e
        Permute pm 1 1 a pa 0=3
        Reshape rs 1 1 pa ra 0=8 1=-1
        Softmax sm 1 1 ra sa 0=1 1=1
        Slice sl 1 2 b s1 s2 -23300=2,2,-233
        ShuffleChannel sc 1 1 s2 sh 0=3 1=1
        Concat ct 2 1 s1 sh cc 0=0
        Interp ip 1 1 c ic 0=2 1=2.000000e+00 2=1.500000e+00
        Interp nn 1 1 d id 0=1 1=2.000000e+00 2=2.000000e+00
        Padding pd 1 1 e pe 0=1 1=2 2=0 3=1 4=0 5=0.000000e+00 7=1 8=2
        Crop cr 1 1 pe ce -23309=1,1 -23310=1,9 -23311=1,0
        """;

    // Grouped deconvolutions (ncnn's weights [group][out/group][in/group][kh][kw], ours input-major): 6 -> 4 in 2
    // groups with a 3x2 kernel and pads; mobilenet_yolo's form, 2 inputs to 1 output per group; a plain Deconvolution
    // with dilation and output padding.
    private const string Deconvolutions = """
        7767517
        5 7
        Input in 0 1 data 0=7 1=5 2=6
        Split sp 1 3 data a b c
        DeconvolutionDepthWise g2 1 1 a o1 0=4 1=3 11=2 3=2 4=1 15=0 5=1 6=72 7=2
        DeconvolutionDepthWise g3 1 1 b o2 0=3 1=4 3=2 4=1 6=96 7=3 9=1
        Deconvolution dc 1 1 c o3 0=5 1=3 2=2 3=3 5=1 6=270 18=1 19=2
        """;

    // Concat, Slice and Crop on inner axes (w, h; negative axes; a 2-D blob's w): offsets with sizes, -233 and tail
    // offsets, and numpy-style starts / ends / axes.
    private const string InnerAxes = """
        7767517
        10 17
        Input in 0 1 data 0=7 1=5 2=6
        Split sp 1 6 data a b c d e f
        Concat cw 2 1 a b o1 0=2
        Slice sh 1 2 c s1 s2 -23300=2,2,-233 1=1
        Concat ch 2 1 s2 s1 o2 0=-2
        Crop cr 1 1 d o3 0=1 1=2 2=1 3=4 4=-233 5=3
        Crop cn 1 1 e o4 -23309=2,1,-3 -23310=2,5,-1 -23311=2,2,1
        Crop ct 1 1 f o5 0=2 6=1 1=1 7=1 3=-233 4=-233 5=-233
        Reshape rs 1 1 o5 r 0=12 1=-1
        Slice s2 1 2 r q1 q2 -23300=2,5,-233 1=-1
        """;

    private static readonly Dictionary<string, string> Params = new()
    {
        ["windows"] = Windows, ["arithmetic"] = Arithmetic, ["layout"] = Layout, ["deconvolutions"] = Deconvolutions, ["inner_axes"] = InnerAxes,
    };

    [TestCase("windows", 11, 9)]
    [TestCase("deconvolutions", 7, 5)]
    [TestCase("inner_axes", 7, 5)]
    [TestCase("arithmetic", 7, 5)]
    [TestCase("layout", 6, 4)]
    public void LayerMatchesNcnn(string name, int w, int h)
    {
        var param = Params[name];
        using var dir = new TempDir();
        var path = dir.File(name + ".param");
        File.WriteAllText(path, param.ReplaceLineEndings("\n") + "\n");
        NcnnVsNcnnTests.Compare(path, name, w, h);
    }
}
