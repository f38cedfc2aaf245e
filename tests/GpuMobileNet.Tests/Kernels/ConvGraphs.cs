using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Single-op graphs with random weights for kernel tests.</summary>
internal static class ConvGraphs
{
    public static ModelGraph Conv(TensorShape input, int outC, int kernel, int stride, Padding pad, int groups,
        bool bias, Activation act, bool residual, int seed = 1)
    {
        var b = new GraphBuilder($"conv_{input}_{outC}_k{kernel}_s{stride}_g{groups}", input);
        int inPerGroup = input.C / groups;
        // Scale like He init so values stay O(1) and tolerances mean the same across shapes.
        float scale = (float)Math.Sqrt(3.0 / (inPerGroup * kernel * kernel));
        var w = GpuVsCpu.RandomArray(outC * inPerGroup * kernel * kernel, seed, scale);
        var y = b.Conv2d("conv", b.Input, outC, kernel, stride, pad, groups, w, bias ? GpuVsCpu.RandomArray(outC, seed + 1) : null,
            residual ? Activation.None : act);
        if (residual)
        {
            // The residual operand must have the conv's output shape: a second conv of the input makes one.
            var r = b.Conv2d("other", b.Input, outC, kernel, stride, pad, groups, GpuVsCpu.RandomArray(w.Length, seed + 2, scale));
            y = b.Add("add", y, r, act);
            var graph = b.Build(y);
            var conv = (GpuMobileNet.Graph.Ops.Conv2dOp)graph.Nodes[0];
            var add = (GpuMobileNet.Graph.Ops.AddOp)graph.Nodes[2];
            // Put the residual into the conv directly so the kernel's own residual path is what runs.
            return graph.WithNodes([graph.Nodes[1], conv with { Residual = add.B, Activation = act, Output = add.Output }]);
        }
        return b.Build(y);
    }
}
