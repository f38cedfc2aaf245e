using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Reference channel shuffle: a plain gather of whole channel planes.</summary>
internal static class ShuffleReference
{
    public static float[] ChannelShuffle(ChannelShuffleOp op, float[] input, int batch) => Shuffle(input, op.Input.Shape, op.Groups, batch);

    /// <summary>Channel concatenation of NCHW parts into <paramref name="output"/>'s shape.</summary>
    public static float[] Concat(IReadOnlyList<float[]> parts, TensorShape output, int batch)
    {
        var result = new float[batch * output.Elements];
        int offset = 0;
        foreach (var part in parts)
        {
            int count = part.Length / batch;
            for (int n = 0; n < batch; n++) Array.Copy(part, n * count, result, n * output.Elements + offset, count);
            offset += count;
        }
        return result;
    }

    public static float[] Shuffle(float[] input, TensorShape s, int groups, int batch)
    {
        int plane = s.H * s.W;
        var output = new float[input.Length];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < s.C; c++)
                Array.Copy(input, (n * s.C + c % groups * (s.C / groups) + c / groups) * plane, output, (n * s.C + c) * plane, plane);
        return output;
    }
}
