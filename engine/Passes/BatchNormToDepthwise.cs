using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Turns every remaining BatchNorm into a 1x1 depthwise Conv2d (groups = C) with weight = scale and
/// bias = shift, so the GPU needs no BatchNorm kernel.</summary>
internal static class BatchNormToDepthwise
{
    public static ModelGraph Apply(ModelGraph g) =>
        g.WithNodes(g.Nodes.Select(n => n is BatchNormOp bn ? ToConv(bn) : n).ToList());

    internal static Conv2dOp ToConv(BatchNormOp bn)
    {
        int channels = bn.Input.Shape.C;
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double s = bn.Gamma[c] / Math.Sqrt((double)bn.Variance[c] + bn.Epsilon);
            scale[c] = (float)s;
            shift[c] = (float)(bn.Beta[c] - bn.Mean[c] * s);
        }
        return new Conv2dOp(bn.Name, bn.Input, bn.Output, 1, 1, 1, 1, Padding.Zero, channels, scale, shift);
    }
}
