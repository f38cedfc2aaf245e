using Microsoft.ML.OnnxRuntime;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>ONNX Runtime (CPU) on a model file with one input, returning every output by name.</summary>
internal static class OrtReference
{
    public static Dictionary<string, float[]> Run(string path, float[] input, long[] dims)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, dims);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [value], session.OutputNames);
        return session.OutputNames.Zip(results).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
    }

    /// <summary>NCHW [c, h, w] to NHWC [h, w, c], for models whose input is NHWC.</summary>
    public static float[] ToNhwc(float[] nchw, int c, int h, int w)
    {
        var r = new float[nchw.Length];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++)
                r[i * c + ch] = nchw[ch * h * w + i];
        return r;
    }
}
