using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>Direct (loop-nest) grouped 2-D convolution: out = Act(conv + bias + residual), a residual of fewer channels
/// adding zero to the channels past its own.</summary>
internal static class ConvReference
{
    public static float[] Run(Conv2dOp op, float[] input, float[]? residual, int batch)
    {
        var ins = op.Input.Shape;
        var outs = op.Output.Shape;
        int inPerGroup = ins.C / op.Groups;
        int outPerGroup = outs.C / op.Groups;
        int kh = op.KernelH, kw = op.KernelW;
        int residualC = op.Residual?.Shape.C ?? 0;
        var output = new float[batch * outs.Elements];
        for (int n = 0; n < batch; n++)
        {
            int inBase = n * ins.Elements;
            int outBase = n * outs.Elements;
            for (int oc = 0; oc < outs.C; oc++)
            {
                int firstIc = oc / outPerGroup * inPerGroup;
                for (int oy = 0; oy < outs.H; oy++)
                for (int ox = 0; ox < outs.W; ox++)
                {
                    double sum = op.Bias is null ? 0.0 : op.Bias[oc];
                    for (int icg = 0; icg < inPerGroup; icg++)
                    {
                        int plane = inBase + (firstIc + icg) * ins.H * ins.W;
                        int wBase = (oc * inPerGroup + icg) * kh * kw;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            // Positions outside the input read the implicit zero padding, i.e. contribute nothing.
                            int iy = oy * op.StrideH - op.Pad.Top + ky * op.DilationH;
                            if (iy < 0 || iy >= ins.H) continue;
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int ix = ox * op.StrideW - op.Pad.Left + kx * op.DilationW;
                                if (ix < 0 || ix >= ins.W) continue;
                                sum += (double)op.Weights[wBase + ky * kw + kx] * input[plane + iy * ins.W + ix];
                            }
                        }
                    }
                    int o = outBase + (oc * outs.H + oy) * outs.W + ox;
                    if (residual is not null && oc < residualC) sum += residual[((n * residualC + oc) * outs.H + oy) * outs.W + ox];
                    output[o] = (float)ActivationMath.Apply(sum, op.Activation);
                }
            }
        }
        return output;
    }
}
