using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Reference ops that map each element independently: batch norm, activation, add.</summary>
internal static class ElementwiseReference
{
    public static float[] BatchNorm(BatchNormOp op, float[] input, int batch)
    {
        var s = op.Input.Shape;
        int plane = s.H * s.W;
        var output = new float[input.Length];
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < s.C; c++)
        {
            double scale = op.Gamma[c] / Math.Sqrt((double)op.Variance[c] + op.Epsilon);
            int start = (n * s.C + c) * plane;
            for (int i = start; i < start + plane; i++)
                output[i] = (float)((input[i] - (double)op.Mean[c]) * scale + op.Beta[c]);
        }
        return output;
    }

    public static float[] Activate(float[] input, Activation act)
    {
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
            output[i] = (float)ActivationMath.Apply(input[i], act);
        return output;
    }

    public static float[] Add(float[] a, float[] b, Activation act)
    {
        var output = new float[a.Length];
        for (int i = 0; i < a.Length; i++)
            output[i] = (float)ActivationMath.Apply((double)a[i] + b[i], act);
        return output;
    }
}
