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

    public static float[] Resize(ResizeOp op, float[] input, int batch)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var output = new float[batch * o.Elements];
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < o.C; c++)
        {
            int plane = (n * i.C + c) * i.H * i.W;
            for (int oy = 0; oy < o.H; oy++)
            for (int ox = 0; ox < o.W; ox++)
            {
                double sy = ResizeOp.Source(oy, op.ScaleH, i.H, op.Coordinates), sx = ResizeOp.Source(ox, op.ScaleW, i.W, op.Coordinates);
                double v;
                if (!op.Linear)
                    v = input[plane + Nearest(sy, i.H, op.Nearest) * i.W + Nearest(sx, i.W, op.Nearest)];
                else
                {
                    sy = Math.Clamp(sy, 0, i.H - 1);
                    sx = Math.Clamp(sx, 0, i.W - 1);
                    int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx), y1 = Math.Min(y0 + 1, i.H - 1), x1 = Math.Min(x0 + 1, i.W - 1);
                    double dy = sy - y0, dx = sx - x0;
                    double top = input[plane + y0 * i.W + x0] * (1 - dx) + input[plane + y0 * i.W + x1] * dx;
                    double bottom = input[plane + y1 * i.W + x0] * (1 - dx) + input[plane + y1 * i.W + x1] * dx;
                    v = top * (1 - dy) + bottom * dy;
                }
                output[((n * o.C + c) * o.H + oy) * o.W + ox] = (float)v;
            }
        }
        return output;
    }

    private static int Nearest(double v, int size, ResizeNearest mode)
    {
        double f = Math.Floor(v);
        int i = mode switch
        {
            ResizeNearest.Floor => (int)f,
            ResizeNearest.Ceil => (int)Math.Ceiling(v),
            _ when v - f == 0.5 => mode == ResizeNearest.RoundPreferFloor ? (int)f : (int)f + 1,
            _ => (int)Math.Floor(v + 0.5),
        };
        return Math.Clamp(i, 0, size - 1);
    }

    public static float[] Equal(float[] a, float[] b) => a.Zip(b, (x, y) => x == y ? 1f : 0f).ToArray();
}
