using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>A <see cref="MappedConvOp"/> done the obvious way: gather the input quads, convolve, scatter the output
/// quads into a copy of the target.</summary>
internal static class MappedConvReference
{
    public static float[] Run(MappedConvOp op, float[] source, float[]? into, int batch)
    {
        var s = op.Source.Shape;
        int inPlane = s.H * s.W, inC = op.Conv.InC;
        var gathered = new float[batch * inC * inPlane];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < inC; c++)
            {
                int from = op.SourceQuads is null ? c : op.SourceQuads[c / 4] * 4 + c % 4;
                Array.Copy(source, (n * s.C + from) * inPlane, gathered, (n * inC + c) * inPlane, inPlane);
            }
        var y = ConvReference.Run(op.Conv, gathered, null, batch);
        if (op.TargetQuads is not { } target) return y;
        var r = op.Output.Shape;
        int outPlane = r.H * r.W, convC = op.Conv.OutC;
        var result = into is null ? new float[batch * r.Elements] : (float[])into.Clone();
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < convC; o++)
                Array.Copy(y, (n * convC + o) * outPlane, result, (n * r.C + target[o / 4] * 4 + o % 4) * outPlane, outPlane);
        return result;
    }
}
