using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Single-op graphs for the non-convolution kernels.</summary>
internal static class SmallOpGraphs
{
    public static ModelGraph Build(string name, TensorShape input, Func<GraphBuilder, Value, Value> op)
    {
        var b = new GraphBuilder(name, input);
        return b.Build(op(b, b.Input));
    }
}
