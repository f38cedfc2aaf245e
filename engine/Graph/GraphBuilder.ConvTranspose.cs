using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>Builder method for the transposed convolution (ONNX ConvTranspose).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Transposed convolution of <paramref name="x"/> to <paramref name="outC"/> x <paramref name="outH"/> x
    /// <paramref name="outW"/>; <paramref name="weights"/> are [InC, OutC/groups, kernelH, kernelW] (see <see cref="ConvTransposeOp"/>).</summary>
    public Value ConvTranspose(string name, Value x, int outC, int outH, int outW, int kernelH, int kernelW, int strideH, int strideW,
        int dilationH, int dilationW, int padTop, int padLeft, int groups, float[] weights, float[]? bias = null)
    {
        const string op = "ConvTranspose";
        var s = x.Shape;
        if (groups <= 0 || s.C % groups != 0 || outC % groups != 0)
            Fail(name, op, $"groups {groups} must divide input channels {s.C} and output channels {outC}");
        if (new[] { kernelH, kernelW, strideH, strideW, dilationH, dilationW }.Any(v => v <= 0 || v > MaxWindow)
            || Math.Abs(padTop) > MaxWindow || Math.Abs(padLeft) > MaxWindow)
            Fail(name, op, $"kernel {kernelH}x{kernelW}, stride {strideH}x{strideW}, dilation {dilationH}x{dilationW} and pads {padTop}, {padLeft} must be positive and at most {MaxWindow}");
        CheckLength(name, op, "weights", weights, (long)s.C * (outC / groups) * kernelH * kernelW);
        if (bias is not null) CheckLength(name, op, "bias", bias, outC);
        var y = NewValue(name, op, new TensorShape(outC, outH, outW));
        Append(new ConvTransposeOp(name, x, y, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, groups, weights, bias));
        return y;
    }
}
