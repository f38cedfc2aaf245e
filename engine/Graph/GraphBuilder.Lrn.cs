using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Graph;

/// <summary>Builder method for local response normalisation (ncnn and ONNX LRN across channels).</summary>
internal sealed partial class GraphBuilder
{
    /// <summary>LRN of <paramref name="x"/> across channels (see <see cref="LrnOp"/>).</summary>
    public Value Lrn(string name, Value x, int size, float alpha, float beta, float bias)
    {
        if (size <= 0 || size % 2 == 0 || size > MaxWindow)
            Fail(name, "LRN", $"size {size} must be odd and in 1..{MaxWindow}");
        if (!float.IsFinite(alpha) || !float.IsFinite(beta) || !float.IsFinite(bias) || bias <= 0 || alpha < 0)
            Fail(name, "LRN", $"alpha {alpha}, beta {beta} and bias {bias} must be finite, alpha >= 0 and bias > 0");
        var y = NewValue(name, "LRN", x.Shape);
        _nodes.Add(new LrnOp(name, x, y, size, alpha, beta, bias));
        return y;
    }
}
