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
}
