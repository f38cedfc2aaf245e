using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Passes;

/// <summary>Makes each squeeze-and-excite gate one op (<see cref="SqueezeExciteOp"/>, one dispatch): a global average
/// pool of a channel-packed tensor whose only reader is a 1x1 convolution of one pixel, whose only reader is another.
/// Runs after <see cref="PackChannels"/> (the kernel reads NC4HW4) and before <see cref="FuseChannelGate"/> (which
/// only cares that the gate exists). Values read elsewhere, or graph outputs, keep the gate unfused. Without the pool
/// (<see cref="PassOptions.FuseExcitation"/>) the op reads the pool's C x 1 x 1 output through a 1x1 "pool" and stands
/// for the two convolutions only.</summary>
internal static class FuseSqueezeExcite
{
    /// <summary>The most multiply-adds each convolution of a gate may have to run in the one workgroup without its pool:
    /// beyond, two dense dispatches that use every core win (MobileNetV3's 960 -> 240 -> 960 gates: 230 K each).</summary>
    public const int MaxExcitationMultiplyAdds = 65536;

    /// <summary>The graph with every such chain replaced by one op; with <paramref name="withPool"/> false, the pool kept
    /// and only small gates' two convolutions replaced.</summary>
    public static ModelGraph Apply(ModelGraph g, bool withPool = true)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var replaced = new Dictionary<Node, SqueezeExciteOp>(); // the excite node -> the op standing for the gate
        var removed = new HashSet<Node>();
        foreach (var node in g.Nodes)
        {
            if (node is not AvgPoolOp pool || !IsGlobalPackedPool(pool)) continue;
            // The graph's nodes (convolutions or dense layers) and the same as 1x1 convolutions.
            var squeezeNode = uses.SoleConsumer(pool.Output);
            if (OnePixelConv(squeezeNode, pool.Output) is not { } squeeze) continue;
            var exciteNode = uses.SoleConsumer(squeeze.Output);
            if (OnePixelConv(exciteNode, squeeze.Output) is not { } excite) continue;
            if (excite.OutC != pool.Input.Shape.C || !KernelCapabilities.CanFuseSqueezeExcite(pool.Input.Shape.C, squeeze.OutC)) continue;
            if (withPool)
            {
                replaced[exciteNode!] = new SqueezeExciteOp(excite.Name, pool, squeeze, excite);
                removed.UnionWith([pool, squeezeNode!]);
            }
            else if ((long)squeeze.InC * squeeze.OutC <= MaxExcitationMultiplyAdds)
            {
                replaced[exciteNode!] = new SqueezeExciteOp(excite.Name, PooledAlready(pool), squeeze, excite);
                removed.Add(squeezeNode!);
            }
        }

        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(replaced.TryGetValue(node, out var se) ? se : node);
        }
        return g.WithNodes(nodes);
    }

    /// <summary>A 1x1 pool of <paramref name="pool"/>'s output, an identity: the op then reads the pooled vector.</summary>
    private static AvgPoolOp PooledAlready(AvgPoolOp pool) =>
        new($"{pool.Name}/pooled", pool.Output, pool.Output, 1, 1, 1, 1, Padding.Zero);

    /// <summary>A pool over the whole (packed) input with no padding: one output pixel per channel.</summary>
    private static bool IsGlobalPackedPool(AvgPoolOp p) =>
        p.Input.Layout == TensorLayout.Nc4hw4 && p.Output.Shape.H == 1 && p.Output.Shape.W == 1 &&
        p.KernelH == p.Input.Shape.H && p.KernelW == p.Input.Shape.W && p.Pad.IsZero;

    /// <summary><paramref name="node"/> as a 1x1 convolution of the one pixel <paramref name="input"/>, if it is one: such a
    /// convolution, or a dense layer of a C x 1 x 1 input (ncnn's and TFLite's gates use InnerProduct / FullyConnected),
    /// whose [out][in] weights are the 1x1 convolution's.</summary>
    private static Conv2dOp? OnePixelConv(Node? node, Value input) => node switch
    {
        Conv2dOp c when c.Input == input && KernelCapabilities.RunsOnDense(c) => c,
        DenseOp d when d.Input == input && input.Shape.H * input.Shape.W == 1 && d.Output.Shape.H * d.Output.Shape.W == 1 =>
            new Conv2dOp(d.Name, d.Input, d.Output, 1, 1, 1, 1, Padding.Zero, 1, d.Weights, d.Bias, d.Activation),
        _ => null,
    };
}
