using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Reference implementations of the ops the ONNX importer added: element-wise product and max pooling.</summary>
internal static class ImportedOpsReference
{
    public static float[] Mul(MulOp op, float[] a, float[] b, int batch)
    {
        var s = op.A.Shape;
        int plane = s.H * s.W, count = s.Elements;
        var output = new float[a.Length];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < count; i++)
                output[n * count + i] = (float)((double)a[n * count + i] * b[op.IsChannelBroadcast ? n * s.C + i / plane : n * count + i]);
        return output;
    }

    public static float[] MaxPool(MaxPoolOp op, float[] input, int batch)
    {
        var ins = op.Input.Shape;
        var outs = op.Output.Shape;
        var output = new float[batch * outs.Elements];
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < outs.C; c++)
        for (int oy = 0; oy < outs.H; oy++)
        for (int ox = 0; ox < outs.W; ox++)
        {
            float best = float.NegativeInfinity;
            for (int ky = 0; ky < op.KernelH; ky++)
            for (int kx = 0; kx < op.KernelW; kx++)
            {
                int iy = oy * op.StrideH - op.Pad.Top + ky, ix = ox * op.StrideW - op.Pad.Left + kx;
                if (iy >= 0 && iy < ins.H && ix >= 0 && ix < ins.W)
                    best = Math.Max(best, input[((n * ins.C + c) * ins.H + iy) * ins.W + ix]);
            }
            output[((n * outs.C + c) * outs.H + oy) * outs.W + ox] = best;
        }
        return output;
    }

    public static float[] Transpose(TransposeOp op, float[] input, int batch)
    {
        var s = op.Input.Shape;
        int[] d = [s.C, s.H, s.W];
        int count = s.Elements;
        var output = new float[input.Length];
        var idx = new int[3];
        for (int n = 0; n < batch; n++)
            for (idx[0] = 0; idx[0] < d[0]; idx[0]++)
            for (idx[1] = 0; idx[1] < d[1]; idx[1]++)
            for (idx[2] = 0; idx[2] < d[2]; idx[2]++)
            {
                int o = (idx[op.Perm[0]] * d[op.Perm[1]] + idx[op.Perm[1]]) * d[op.Perm[2]] + idx[op.Perm[2]];
                output[n * count + o] = input[n * count + (idx[0] * d[1] + idx[1]) * d[2] + idx[2]];
            }
        return output;
    }

    public static float[] Concat(ConcatOp op, IReadOnlyList<float[]?> parts, int batch)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W;
        var output = new float[batch * o.Elements];
        for (int n = 0; n < batch; n++)
        {
            int at = n * o.Elements;
            for (int i = 0; i < parts.Count; i++)
            {
                int len = op.Channels[i] * plane;
                if (parts[i] is { } p) Array.Copy(p, n * len, output, at, len);
                at += len;
            }
        }
        return output;
    }

    public static float[] SliceChannels(SliceChannelsOp op, float[] input, int batch)
    {
        int plane = op.Output.Shape.H * op.Output.Shape.W, count = op.Output.Shape.Elements, inCount = op.Input.Shape.Elements;
        var output = new float[batch * count];
        for (int n = 0; n < batch; n++)
            Array.Copy(input, n * inCount + op.First * plane, output, n * count, count);
        return output;
    }
}
