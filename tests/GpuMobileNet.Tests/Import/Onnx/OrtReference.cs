using Microsoft.ML.OnnxRuntime;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>ONNX Runtime (CPU) on a model with one input or several, returning every output by name.</summary>
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

    /// <summary>ONNX Runtime on the model <paramref name="model"/> with every input given by name (values and dims).</summary>
    public static Dictionary<string, float[]> Run(byte[] model, IReadOnlyDictionary<string, (float[] Data, long[] Dims)> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var names = session.InputNames.ToList();
        var values = names.Select(n => OrtValue.CreateTensorValueFromMemory(inputs[n].Data, inputs[n].Dims)).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, session.OutputNames);
            return session.OutputNames.Zip(results).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
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
