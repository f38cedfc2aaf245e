using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Softmax along the middle axis of [outer, axis, inner] per sample, in double, max subtracted first.</summary>
internal static class AxisSoftmaxReference
{
    public static float[] Run(AxisSoftmaxOp op, float[] input, int batch)
    {
        var output = new float[input.Length];
        int sample = op.Outer * op.Axis * op.Inner;
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < op.Outer; o++)
                for (int i = 0; i < op.Inner; i++)
                {
                    int Index(int a) => n * sample + (o * op.Axis + a) * op.Inner + i;
                    double max = double.NegativeInfinity, sum = 0;
                    for (int a = 0; a < op.Axis; a++) max = Math.Max(max, input[Index(a)]);
                    for (int a = 0; a < op.Axis; a++) sum += Math.Exp(input[Index(a)] - max);
                    for (int a = 0; a < op.Axis; a++) output[Index(a)] = (float)(Math.Exp(input[Index(a)] - max) / sum);
                }
        return output;
    }
}
