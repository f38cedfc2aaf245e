using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>A <see cref="MappedPointwiseOp"/> done the obvious way: gather the input channels, convolve, scatter the
/// output channels into a copy of the target.</summary>
internal static class MappedPointwiseReference
{
    public static float[] Run(MappedPointwiseOp op, float[] source, float[]? into, int batch)
    {
        var s = op.Source.Shape;
        int plane = s.H * s.W, inC = op.Conv.InC;
        var gathered = new float[batch * inC * plane];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < inC; c++)
                Array.Copy(source, (n * s.C + (op.SourceChannels?[c] ?? c)) * plane, gathered, (n * inC + c) * plane, plane);
        var y = ConvReference.Run(op.Conv, gathered, null, batch);
        if (op.TargetChannels is not { } target) return y;
        int outC = op.Output.Shape.C, convC = op.Conv.OutC;
        var result = into is null ? new float[batch * op.Output.Shape.Elements] : (float[])into.Clone();
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < convC; o++)
                if (target[o] >= 0) Array.Copy(y, (n * convC + o) * plane, result, (n * outC + target[o]) * plane, plane);
        return result;
    }
}
