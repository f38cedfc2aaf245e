using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Passes;

/// <summary>Folds a Transpose to channels-last ([C, H, W] to [H, W, C], perm 1, 2, 0) into the packed 1x1 convolution
/// that produces its input, directly or through the unpacking that drops its padding channels (a 6-channel head written
/// as 8): the convolution stores NHWC (<see cref="ChannelsLastConvOp"/>), one dispatch where there were two or three.
/// TF models exported to ONNX end each head so (BlazeFace: four heads). Runs after the layout decision.</summary>
internal static class FoldChannelsLastStore
{
    /// <summary>The graph with every such transpose folded (unchanged where there is none).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node?>();
        Node? SoleProducer(Value v, Node reader) =>
            producer.TryGetValue(v, out var p) && uses.SoleConsumer(v) == reader && !replaced.ContainsKey(p) ? p : null;

        foreach (var node in g.Nodes)
        {
            if (node is not TransposeOp { Perm: [1, 2, 0] } t || t.Output.Layout != TensorLayout.Nchw) continue;
            var source = SoleProducer(t.Input, t);
            var unpack = source as LayoutConvertOp;
            if (unpack is not null) source = unpack.Input.Layout == TensorLayout.Nc4hw4 ? SoleProducer(unpack.Input, unpack) : null;
            if (source is not Conv2dOp { Residual: null } conv || !KernelCapabilities.RunsOnPackedPointwise(conv)) continue;
            replaced[conv] = null;
            if (unpack is not null) replaced[unpack] = null;
            replaced[t] = new ChannelsLastConvOp(conv.Name, conv, t.Output);
        }
        return g.Replacing(replaced);
    }
}
