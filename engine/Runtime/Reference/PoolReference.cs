using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Reference spatial ops: zero padding and average pooling.</summary>
internal static class PoolReference
{
    public static float[] Pad(PadOp op, float[] input, int batch)
    {
        var ins = op.Input.Shape;
        var outs = op.Output.Shape;
        var output = new float[batch * outs.Elements];
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < ins.C; c++)
        for (int y = 0; y < ins.H; y++)
        for (int x = 0; x < ins.W; x++)
            output[((n * outs.C + c) * outs.H + y + op.Pad.Top) * outs.W + x + op.Pad.Left] =
                input[((n * ins.C + c) * ins.H + y) * ins.W + x];
        return output;
    }

    /// <summary>Average over the window positions that lie inside the input; padded positions are
    /// neither summed nor counted (TF/Keras semantics).</summary>
    public static float[] AvgPool(AvgPoolOp op, float[] input, int batch)
    {
        var ins = op.Input.Shape;
        var outs = op.Output.Shape;
        var output = new float[batch * outs.Elements];
        for (int n = 0; n < batch; n++)
        for (int c = 0; c < outs.C; c++)
        {
            int plane = (n * ins.C + c) * ins.H * ins.W;
            for (int oy = 0; oy < outs.H; oy++)
            for (int ox = 0; ox < outs.W; ox++)
            {
                double sum = 0.0;
                int count = 0;
                for (int ky = 0; ky < op.KernelH; ky++)
                {
                    int iy = oy * op.StrideH - op.Pad.Top + ky;
                    if (iy < 0 || iy >= ins.H) continue;
                    for (int kx = 0; kx < op.KernelW; kx++)
                    {
                        int ix = ox * op.StrideW - op.Pad.Left + kx;
                        if (ix < 0 || ix >= ins.W) continue;
                        sum += input[plane + iy * ins.W + ix];
                        count++;
                    }
                }
                output[((n * outs.C + c) * outs.H + oy) * outs.W + ox] = count == 0 ? 0f : (float)(sum / count);
            }
        }
        return output;
    }
}
