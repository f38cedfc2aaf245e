using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Reference fully connected layer and softmax.</summary>
internal static class DenseReference
{
    public static float[] Dense(DenseOp op, float[] input, int batch)
    {
        int inF = op.InFeatures, outF = op.OutFeatures;
        var output = new float[batch * outF];
        for (int n = 0; n < batch; n++)
        for (int o = 0; o < outF; o++)
        {
            double sum = op.Bias is null ? 0.0 : op.Bias[o];
            for (int i = 0; i < inF; i++)
                sum += (double)op.Weights[o * inF + i] * input[n * inF + i];
            output[n * outF + o] = (float)ActivationMath.Apply(sum, op.Activation);
        }
        return output;
    }

    /// <summary>Softmax over channels at every spatial position; the maximum is subtracted first so
    /// large logits cannot overflow exp.</summary>
    public static float[] Softmax(float[] input, TensorShape shape, int batch)
    {
        int plane = shape.H * shape.W;
        var output = new float[input.Length];
        for (int n = 0; n < batch; n++)
        for (int p = 0; p < plane; p++)
        {
            int Index(int c) => (n * shape.C + c) * plane + p;
            double max = double.NegativeInfinity;
            for (int c = 0; c < shape.C; c++) max = Math.Max(max, input[Index(c)]);
            double sum = 0.0;
            for (int c = 0; c < shape.C; c++) sum += Math.Exp(input[Index(c)] - max);
            for (int c = 0; c < shape.C; c++) output[Index(c)] = (float)(Math.Exp(input[Index(c)] - max) / sum);
        }
        return output;
    }
}
