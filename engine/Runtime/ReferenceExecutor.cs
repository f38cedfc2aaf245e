using GpuMobileNet.Graph;

namespace GpuMobileNet.Runtime;

/// <summary>The CPU reference executor: plain, obviously-correct C# that is the numerical oracle for the GPU.</summary>
public static class ReferenceExecutor
{
    /// <summary>Runs <paramref name="graph"/> on a batch of <paramref name="batch"/> NCHW samples laid out
    /// back to back and returns the output, also NCHW and back to back.</summary>
    public static float[] Run(ModelGraph graph, float[] input, int batch = 1) =>
        throw new NotImplementedException("being written");
}
