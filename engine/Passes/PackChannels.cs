using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Passes;

/// <summary>Stores activations channel-packed (<see cref="TensorLayout.Nc4hw4"/>) between the ops whose kernels
/// read and write that layout: pointwise and depthwise convolutions with channel counts that are multiples of 4,
/// and element-wise Add / Activation when all their inputs are packed already. Two ops meet the packed body
/// without a conversion: a full convolution (the stem) writes its output packed when only packed convolutions read
/// it, and average pooling reads a packed input directly (and writes packed too where its output has a plane, or is a
/// global pool's output read only by packed convolutions). A <see cref="LayoutConvertOp"/>
/// packs a planar value the first time a packed op reads it, and unpacks a packed value just before the first
/// planar op (or the graph output) that needs it; the unpacked copy keeps the original value's identity, so
/// planar ops are left as they are. Runs last: fused blocks stay planar.</summary>
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

    /// <summary>Whether this full convolution (planar input) writes its output packed: when only packed convolutions
    /// read it, as the stem of MobileNetV1/V2, so no conversion runs between them.
    /// Also when a max pool reads it whose readers all read packed (ShuffleNetV1: stem → max pool → 1x1 and average pool).</summary>
    private static bool WritesPacked(Conv2dOp c, ModelGraph g) =>
        KernelCapabilities.WritesPackedFromPlanar(c) && c.Output != g.Output &&
        g.Consumers(c.Output).All(n => n is Conv2dOp consumer && KernelCapabilities.RunsPacked(consumer) ||
            n is MaxPoolOp pool && KernelCapabilities.MaxPoolRunsPacked(pool) && pool.Output != g.Output &&
            g.Consumers(pool.Output).All(r => r is Conv2dOp conv && KernelCapabilities.RunsPacked(conv) ||
                r is AvgPoolOp avg && KernelCapabilities.PoolReadsPacked(avg)));

    /// <summary>Whether average pooling of a packed input writes its output packed: where the output has a plane (see
    /// <see cref="KernelCapabilities.PoolWritesPacked"/>), or where it is a global pool's C x 1 x 1, the same bytes in
    /// both layouts, and only packed convolutions read it (a squeeze-and-excite), so no conversion runs before them.</summary>
    private static bool PoolWritesPacked(AvgPoolOp p, ModelGraph g) =>
        KernelCapabilities.PoolWritesPacked(p) ||
        KernelCapabilities.PoolReadsPacked(p) && KernelCapabilities.SameInBothLayouts(p.Output) && p.Output != g.Output &&
        g.Consumers(p.Output).All(n => n is Conv2dOp consumer && KernelCapabilities.RunsPacked(consumer));

    private sealed class Rewrite
    {
        private readonly ModelGraph _graph;
        private readonly Dictionary<Value, Value> _packed = [];   // original value -> its packed form
        private readonly HashSet<Value> _planar = [];             // original values whose NCHW form exists by now

        public Rewrite(ModelGraph graph)
        {
            _graph = graph;
            _planar.UnionWith(graph.Inputs);
        }

        public List<Node> Nodes { get; } = [];

        public void Add(Node node)
        {
            switch (node)
            {
                case Conv2dOp c when KernelCapabilities.RunsPacked(c):
                    Nodes.Add(c with
                    {
                        Input = Packed(c.Input),
                        Residual = c.Residual is null ? null : Packed(c.Residual),
                        Output = ProducedPacked(c.Output),
                    });
                    break;
                // The shuffle is an index map in the packed kernel's read; the conv's own input (the shuffled tensor)
                // is never stored, it only carries the shape, so it becomes packed with the rest.
                case ShuffledReadConvOp s when KernelCapabilities.RunsPacked(s):
                    var conv = s.Conv with
                    {
                        Input = new Value(s.Conv.Input.Name, s.Conv.Input.Shape, TensorLayout.Nc4hw4),
                        Residual = s.Conv.Residual is null ? null : Packed(s.Conv.Residual),
                        Output = ProducedPacked(s.Conv.Output),
                    };
                    Nodes.Add(new ShuffledReadConvOp(s.Name, Packed(s.Input), conv, s.ShuffleGroups));
                    break;
                // Made by FoldChannelViews for the packed kernel only: every tensor it touches is packed.
                case MappedConvOp m:
                    Nodes.Add(m with
                    {
                        Conv = m.Conv with { Input = new Value(m.Conv.Input.Name, m.Conv.Input.Shape, TensorLayout.Nc4hw4) },
                        Source = Packed(m.Source),
                        Into = m.Into is null ? null : Packed(m.Into),
                        Output = ProducedPacked(m.Output),
                    });
                    break;
                case Conv2dOp c when WritesPacked(c, _graph):
                    EnsurePlanar(c.Input);
                    Nodes.Add(c with { Output = ProducedPacked(c.Output) });
                    break;
                case AvgPoolOp p when _packed.ContainsKey(p.Input) && PoolWritesPacked(p, _graph):
                    Nodes.Add(p with { Input = _packed[p.Input], Output = ProducedPacked(p.Output) });
                    break;
                case AvgPoolOp p when _packed.ContainsKey(p.Input) && KernelCapabilities.PoolReadsPacked(p):
                    Nodes.Add(p with { Input = _packed[p.Input] });
                    _planar.Add(p.Output);
                    break;
                case MaxPoolOp p when _packed.ContainsKey(p.Input) && KernelCapabilities.MaxPoolRunsPacked(p):
                    Nodes.Add(p with { Input = _packed[p.Input], Output = ProducedPacked(p.Output) });
                    break;
                case AddOp a when KernelCapabilities.ElementwiseRunsPacked(a, _packed.ContainsKey):
                    Nodes.Add(a with { A = _packed[a.A], B = _packed[a.B], Output = ProducedPacked(a.Output) });
                    break;
                // A per-channel gate (C x 1 x 1) has the same memory order in both layouts: either form will do.
                case MulOp m when KernelCapabilities.ElementwiseRunsPacked(m, _packed.ContainsKey):
                    Nodes.Add(m with
                    {
                        A = _packed[m.A],
                        B = _packed.TryGetValue(m.B, out var packedB) ? packedB : m.B,
                        Output = ProducedPacked(m.Output),
                    });
                    break;
                // Parts of whole channel quads are contiguous in NC4HW4 too: the same copy kernel joins them.
                case ConcatOp c when KernelCapabilities.ConcatRunsPacked(c) && c.Parts.All(p => _packed.ContainsKey(p!)):
                    Nodes.Add(c with { Parts = c.Parts.Select(p => (Value?)_packed[p!]).ToList(), Output = ProducedPacked(c.Output) });
                    break;
                case ActivationOp a when KernelCapabilities.ElementwiseRunsPacked(a, _packed.ContainsKey):
                    Nodes.Add(a with { Input = _packed[a.Input], Output = ProducedPacked(a.Output) });
                    break;
                default:
                    foreach (var v in node.Inputs) EnsurePlanar(v);
                    Nodes.Add(node);
                    _planar.Add(node.Output);
                    break;
            }
        }

        /// <summary>Makes the original (NCHW) <paramref name="v"/> exist, unpacking it here if only its packed form does.</summary>
        public void EnsurePlanar(Value v)
        {
            if (_planar.Contains(v)) return;
            Nodes.Add(new LayoutConvertOp($"{v.Name}/to_nchw", _packed[v], v));
            _planar.Add(v);
        }

        /// <summary>The packed form of <paramref name="v"/>, packing it here if it only exists as NCHW.</summary>
        private Value Packed(Value v)
        {
            if (_packed.TryGetValue(v, out var p)) return p;
            p = new Value($"{v.Name}.nc4hw4", v.Shape, TensorLayout.Nc4hw4);
            Nodes.Add(new LayoutConvertOp($"{v.Name}/to_nc4hw4", v, p));
            return _packed[v] = p;
        }

        /// <summary>A packed op's output: a new value with the original's name, shape and the packed layout.</summary>
        private Value ProducedPacked(Value v) => _packed[v] = new Value(v.Name, v.Shape, TensorLayout.Nc4hw4);
    }
}
