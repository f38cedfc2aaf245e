using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Checks that every constant of a graph (each op's provider lists them) is finite. The graph builder checks
/// what it is given; folding BatchNorm multiplies weights by gamma / sqrt(variance + epsilon), and two finite factors can still overflow
/// float32, after which every output is NaN and the top class is whichever comes first.</summary>
internal static class FiniteConstants
{
    /// <exception cref="InvalidGraphException">A constant is NaN or infinite; the message names the op.</exception>
    public static void Check(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        foreach (var node in g.Nodes)
            foreach (var constant in OpRegistry.Constants(node))
                CheckValues(node, constant);
    }

    /// <summary>Checks that folding BatchNorm, as a session does, gives finite constants, without building the folded
    /// graph (the importers call this at load, where a copy of every weight would double the cost): a folded weight
    /// is (float)(w * scale), so the largest |w| of a channel overflows if any does, and a bias or shift is one value
    /// per channel.</summary>
    public static void CheckFolded(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var pairs = FoldBatchNorm.Pairs(g);
        foreach (var (conv, bn) in pairs)
        {
            int perChannel = conv.Weights.Length / conv.OutC;
            for (int c = 0; c < conv.OutC; c++)
            {
                double scale = FoldBatchNorm.Scale(bn, c), largest = 0;
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) largest = Math.Max(largest, Math.Abs(conv.Weights[i]));
                double bias = ((conv.Bias?[c] ?? 0.0) - bn.Mean[c]) * scale + bn.Beta[c];
                if (!float.IsFinite((float)(largest * scale)) || !float.IsFinite((float)bias))
                    throw new InvalidGraphException(
                        $"{conv}: its weights or bias after folding {bn} are not finite in float32 at channel {c} (scale {scale.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}): the folded scale overflows");
            }
        }
        var folded = pairs.Values.ToHashSet();
        foreach (var bn in g.Nodes.OfType<BatchNormOp>().Where(b => !folded.Contains(b)))
            for (int c = 0; c < bn.Gamma.Length; c++)
            {
                double scale = FoldBatchNorm.Scale(bn, c), shift = bn.Beta[c] - bn.Mean[c] * scale;
                if (!float.IsFinite((float)scale) || !float.IsFinite((float)shift))
                    throw new InvalidGraphException($"{bn}: its scale or shift is not finite in float32 at channel {c}");
            }
    }

    private static void CheckValues(Node owner, OpConstant constant)
    {
        var data = constant.Values;
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i]))
                throw new InvalidGraphException(
                    $"{owner}: {constant.What} after folding BatchNorm have a non-finite value ({data[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}) at index {i}: the folded scale overflows float32");
    }
}
