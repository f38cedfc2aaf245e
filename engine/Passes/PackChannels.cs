using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Stores activations channel-packed (<see cref="TensorLayout.Nc4hw4"/>) between the ops whose kernels
/// read and write that layout. Each op's provider decides, given which values exist packed by now
/// (<see cref="OpProvider{TOp}.WithPackedTensors"/>): pointwise and depthwise convolutions with channel counts that are
/// multiples of 4, element-wise ops when their inputs are packed already; a full convolution (the stem) writes its
/// output packed when only packed ops read it, and average pooling reads a packed input directly. A
/// <see cref="LayoutConvertOp"/> packs a planar value the first time a packed op reads it, and unpacks a packed value
/// just before the first planar op (or the graph output) that needs it; the unpacked copy keeps the original value's
/// identity, so planar ops are left as they are. Runs last: fused blocks stay planar.</summary>
internal static class PackChannels
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var rewrite = new Rewrite(g);
        foreach (var node in g.Nodes)
            rewrite.Add(node);
        foreach (var output in g.Outputs) rewrite.EnsurePlanar(output);
        return g.WithNodes(rewrite.Nodes);
    }

    private sealed class Rewrite : IChannelPacking
    {
        private readonly Dictionary<Value, Value> _packed = [];   // original value -> its packed form
        private readonly HashSet<Value> _planar = [];             // original values whose NCHW form exists by now
        private readonly Dictionary<Value, Value> _padded = [];   // original value -> its packed form padded to whole quads

        public Rewrite(ModelGraph graph)
        {
            Graph = graph;
            _planar.UnionWith(graph.Inputs);
        }

        public ModelGraph Graph { get; }

        public List<Node> Nodes { get; } = [];

        /// <summary>Adds <paramref name="node"/> in the form its provider runs packed, or as it is with its inputs
        /// unpacked where it stays planar (an op without a provider too: kernel selection refuses it by name later).</summary>
        public void Add(Node node)
        {
            var packed = OpRegistry.TryFor(node)?.WithPackedTensors(node, this);
            if (packed is null)
                foreach (var v in node.Inputs) EnsurePlanar(v);
            Nodes.Add(packed ?? node);
            if (!_packed.ContainsKey(node.Output) && !_padded.ContainsKey(node.Output)) _planar.Add(node.Output);
        }

        public bool IsPacked(Value v) => _packed.ContainsKey(v);

        public void EnsurePlanar(Value v)
        {
            if (_planar.Contains(v)) return;
            Nodes.Add(new LayoutConvertOp($"{v.Name}/to_nchw", _packed.TryGetValue(v, out var packed) ? packed : _padded[v], v));
            _planar.Add(v);
        }

        public Value Packed(Value v)
        {
            if (_packed.TryGetValue(v, out var p)) return p;
            EnsurePlanar(v);
            p = new Value($"{v.Name}.nc4hw4", v.Shape, TensorLayout.Nc4hw4);
            Nodes.Add(new LayoutConvertOp($"{v.Name}/to_nc4hw4", v, p));
            return _packed[v] = p;
        }

        public Value ProducedPacked(Value v) => _packed[v] = new Value(v.Name, v.Shape, TensorLayout.Nc4hw4);

        public Value ProducedPackedPadded(Value v) =>
            _padded[v] = new Value(v.Name, v.Shape with { C = ChannelMaps.Quads(v.Shape.C) }, TensorLayout.Nc4hw4);
    }
}
