using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>Builder methods for the ops the ONNX importer added (element-wise product, max pooling).</summary>
public sealed partial class GraphBuilder
{
    /// <summary>a * b, where b has a's shape or is C x 1 x 1 (one factor per channel).</summary>
    public Value Mul(string name, Value a, Value b)
    {
        if (b.Shape != a.Shape && b.Shape != new TensorShape(a.Shape.C, 1, 1))
            Fail(name, "Mul", $"'{b.Name}' is {b.Shape}; it must be {a.Shape} or {a.Shape.C}x1x1 to multiply '{a.Name}'");
        var y = NewValue(name, a.Shape);
        _nodes.Add(new MulOp(name, a, b, y));
        return y;
    }

    public Value MaxPool(string name, Value x, int kernelH, int kernelW, int strideH, int strideW, Padding pad)
    {
        var s = x.Shape;
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || pad.Top >= kernelH || pad.Bottom >= kernelH || pad.Left >= kernelW || pad.Right >= kernelW)
            Fail(name, "MaxPool", $"pool {kernelH}x{kernelW} stride {strideH}x{strideW} padding {pad} is not a valid window");
        var (h, w) = Conv2dOp.OutputSize(s.H, s.W, kernelH, kernelW, strideH, strideW, pad);
        if (h <= 0 || w <= 0)
            Fail(name, "MaxPool", $"pool {kernelH}x{kernelW} stride {strideH}x{strideW} does not fit input {s}");
        var y = NewValue(name, new TensorShape(s.C, h, w));
        _nodes.Add(new MaxPoolOp(name, x, y, kernelH, kernelW, strideH, strideW, pad));
        return y;
    }
}
