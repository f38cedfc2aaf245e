using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Folds Conv2d → BatchNorm into the convolution: with s = gamma / sqrt(var + eps), the weights of
/// output channel c are scaled by s[c] and the bias becomes (bias - mean) * s + beta. The fused conv writes the
/// BatchNorm's output value. A BatchNorm after a ConvTranspose folds into it the same way (the PP-OCR head's).</summary>
internal static class FoldBatchNorm
{
    /// <summary>Folds until no pair is left, so chains of BatchNorms (PaddleOCR's learnable affine maps: a scale, then a
    /// shift) fold whole: into the convolution before them, else into the first of them as a 1x1 depthwise convolution.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        g = FoldIntoTransposed(g);
        for (;;)
        {
            for (var pairs = Pairs(g); pairs.Count > 0; pairs = Pairs(g)) g = FoldPairs(g, pairs);
            // The first BatchNorm of a chain left becomes the 1x1 depthwise convolution it would anyway; the next folds into it.
            var uses = new ValueUses(g);
            var norms = g.Nodes.OfType<BatchNormOp>().ToList();
            var heads = norms.Where(bn => uses.SoleConsumer(bn.Output) is BatchNormOp && !norms.Any(p => p.Output == bn.Input)).ToHashSet();
            if (heads.Count == 0) return g;
            g = g.WithNodes(g.Nodes.Select(n => n is BatchNormOp bn && heads.Contains(bn) ? BatchNormToDepthwise.ToConv(bn) : n).ToList());
        }
    }

    private static ModelGraph FoldPairs(ModelGraph g, Dictionary<Conv2dOp, BatchNormOp> folded)
    {
        var removed = folded.Values.ToHashSet<Node>();
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(node is Conv2dOp conv && folded.TryGetValue(conv, out var bn) ? Fold(conv, bn) : node);
        }
        return g.WithNodes(nodes);
    }

    /// <summary>Each convolution that folds, with the BatchNorm it absorbs.</summary>
    internal static Dictionary<Conv2dOp, BatchNormOp> Pairs(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var folded = new Dictionary<Conv2dOp, BatchNormOp>();
        foreach (var node in g.Nodes)
            if (node is Conv2dOp conv && CanFold(conv) && uses.SoleConsumer(conv.Output) is BatchNormOp bn)
                folded[conv] = bn;
        return folded;
    }

    /// <summary>gamma / sqrt(variance + epsilon) of channel <paramref name="c"/>, in double as the fold computes it.</summary>
    internal static double Scale(BatchNormOp bn, int c) => bn.Gamma[c] / Math.Sqrt((double)bn.Variance[c] + bn.Epsilon);

    // The BN acts on the conv's final output; it commutes with the conv arithmetic only when nothing
    // non-linear (activation) or extra (residual) is applied after the sum.
    private static bool CanFold(Conv2dOp conv) => conv.Activation == Activation.None && conv.Residual is null;

    /// <summary>Each ConvTranspose without an activation whose output only a BatchNorm reads, with that BatchNorm folded in.</summary>
    private static ModelGraph FoldIntoTransposed(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var folded = new Dictionary<Node, ConvTransposeOp>();
        var removed = new HashSet<Node>();
        foreach (var t in g.Nodes.OfType<ConvTransposeOp>())
            if (t.Activation == Activation.None && uses.SoleConsumer(t.Output) is BatchNormOp bn && removed.Add(bn))
                folded[t] = Fold(t, bn);
        return folded.Count == 0 ? g : g.WithNodes(g.Nodes.Where(n => !removed.Contains(n)).Select(n => folded.GetValueOrDefault(n) ?? n).ToList());
    }

    /// <summary>Weights [InC][OutC / groups][taps]: element i belongs to output channel (group of its input channel) x
    /// OutC / groups + (i / taps mod OutC / groups).</summary>
    private static ConvTransposeOp Fold(ConvTransposeOp t, BatchNormOp bn)
    {
        int outC = t.Output.Shape.C, ocG = outC / t.Groups, icG = t.Input.Shape.C / t.Groups, taps = t.KernelH * t.KernelW;
        var weights = new float[t.Weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            int ci = i / (ocG * taps), co = ci / icG * ocG + i / taps % ocG;
            weights[i] = (float)(t.Weights[i] * Scale(bn, co));
        }
        return t with { Output = bn.Output, Weights = weights, Bias = FoldedBias(t.Bias, bn) };
    }

    private static Conv2dOp Fold(Conv2dOp conv, BatchNormOp bn)
    {
        int outC = conv.OutC;
        int perChannel = conv.Weights.Length / outC;
        var weights = new float[conv.Weights.Length];
        for (int c = 0; c < outC; c++)
        {
            double scale = Scale(bn, c);
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++)
                weights[i] = (float)(conv.Weights[i] * scale);
        }
        return conv with { Output = bn.Output, Weights = weights, Bias = FoldedBias(conv.Bias, bn) };
    }

    /// <summary>The bias of a layer with <paramref name="bn"/> folded in: (bias - mean) * s + beta per output channel.</summary>
    private static float[] FoldedBias(float[]? bias, BatchNormOp bn)
    {
        var folded = new float[bn.Mean.Length];
        for (int c = 0; c < folded.Length; c++)
            folded[c] = (float)(((bias?[c] ?? 0.0) - bn.Mean[c]) * Scale(bn, c) + bn.Beta[c]);
        return folded;
    }
}
