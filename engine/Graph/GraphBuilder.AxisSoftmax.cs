using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Builder method for softmax along any axis of a sample (ONNX Softmax beyond the classifier's).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Softmax of <paramref name="x"/> seen as row-major [outer, axis, inner] along the middle axis.</summary>
    public Value AxisSoftmax(string name, Value x, int outer, int axis, int inner)
    {
        if (outer <= 0 || axis <= 0 || inner <= 0 || (long)outer * axis * inner != x.Shape.Elements)
            Fail(name, "AxisSoftmax", $"[{outer}, {axis}, {inner}] does not cover the {x.Shape.Elements} values of '{x.Name}' ({x.Shape})");
        var y = NewValue(name, "AxisSoftmax", x.Shape);
        Append(new AxisSoftmaxOp(name, x, y, outer, axis, inner));
        return y;
    }
}
