using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Checks that every constant of a graph is finite. The graph builder checks what it is given; folding
/// BatchNorm multiplies weights by gamma / sqrt(variance + epsilon), and two finite factors can still overflow
/// float32, after which every output is NaN and the top class is whichever comes first.</summary>
public static class FiniteConstants
{
    /// <exception cref="InvalidGraphException">A constant is NaN or infinite; the message names the op.</exception>
    public static void Check(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        foreach (var node in g.Nodes)
            switch (node)
            {
                case Conv2dOp c: Conv(c, c); break;
                case FusedBlockOp f: foreach (var part in f.Parts) Conv(part, f); break;
                case DenseOp d: Values(d, "weights", d.Weights); Values(d, "bias", d.Bias); break;
            }
    }

    /// <summary>Folds BatchNorm as a session would and checks the folded constants (the importers call this at load).</summary>
    public static void CheckFolded(ModelGraph g) => Check(BatchNormToDepthwise.Apply(FoldBatchNorm.Apply(g)));

    private static void Conv(Conv2dOp part, Node owner)
    {
        Values(owner, part == owner ? "weights" : $"{part.Name} weights", part.Weights);
        Values(owner, part == owner ? "bias" : $"{part.Name} bias", part.Bias);
    }

    private static void Values(Node owner, string what, float[]? data)
    {
        if (data is null) return;
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i]))
                throw new InvalidGraphException(
                    $"{owner}: {what} after folding BatchNorm have a non-finite value ({data[i]}) at index {i}: the folded scale overflows float32");
    }
}
