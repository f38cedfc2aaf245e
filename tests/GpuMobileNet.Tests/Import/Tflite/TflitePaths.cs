using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Tflite;

/// <summary>The detection data scripts/setup fetches: the objectron SSD, its labels, and TFLite's C library.
/// Missing data fails the test (never skips).</summary>
internal static class TflitePaths
{
    public static string SsdModel => Require(Path.Combine(TestPaths.Cache, "objectron", "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite"));
    public static string SsdLabels => Require(Path.Combine(TestPaths.Cache, "objectron", "object_detection_oidv4_labelmap.txt"));
    public static string Library => Require(Path.Combine(TestPaths.Cache, "tflite", "libtensorflowlite_c.so"));

    private static string Require(string path)
    {
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/setup to populate models/cache");
        return path;
    }

    /// <summary>NCHW [C, H, W] to NHWC [H, W, C], what a TFLite input wants.</summary>
    public static float[] ToNhwc(float[] nchw, int c, int h, int w)
    {
        var nhwc = new float[nchw.Length];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++)
                nhwc[i * c + ch] = nchw[ch * h * w + i];
        return nhwc;
    }
}
