using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>The CPU oracle of <see cref="LrnOp"/>, in double precision.</summary>
internal static class LrnReference
{
    public static float[] Run(LrnOp op, float[] x, int batch)
    {
        var s = op.Input.Shape;
        int plane = s.H * s.W, half = op.Size / 2;
        var y = new float[x.Length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < s.C; c++)
                for (int p = 0; p < plane; p++)
                {
                    double sum = 0;
                    for (int k = Math.Max(0, c - half); k <= Math.Min(s.C - 1, c + half); k++)
                    {
                        double v = x[(n * s.C + k) * plane + p];
                        sum += v * v;
                    }
                    int i = (n * s.C + c) * plane + p;
                    y[i] = (float)(x[i] * Math.Pow(op.Bias + op.Alpha / op.Size * sum, -op.Beta));
                }
        return y;
    }
}
