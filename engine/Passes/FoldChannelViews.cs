using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Turns channel splits, concatenations and shuffles into index maps in the 1x1 convolutions around them
/// (ShuffleNetV2's units), so none of them is a pass over a tensor. A slice or shuffle of a tensor becomes a
/// <i>view</i>: a buffer and, per logical channel, the buffer channel holding it. A concatenation whose parts are
/// 1x1 convolution outputs becomes one buffer that each of those convolutions writes its channels of
/// (<see cref="MappedPointwiseOp"/> with target channels); a concatenation of one view and convolution outputs reuses
/// the view's buffer, the convolutions writing into the buffer channels nobody reads any more (ShuffleNetV2's
/// stride-1 unit: the branch writes over the half it split off and read). Readers absorb views: a 1x1 convolution
/// reads a subset through a channel table (order absorbed in its weights), a whole permuted buffer through permuted
/// weight columns; a depthwise convolution reads a whole permuted buffer with its channels permuted, and its output is
/// then a view of its own. All or nothing: where some reader of a view cannot absorb it, the graph is left as it is.
/// Channel counts that are not multiples of 4 are padded (<see cref="QuadPadding"/>) so the packed kernels run them.</summary>
internal static class FoldChannelViews
{
    /// <summary>The graph with its splits, shuffles and concatenations folded, or <paramref name="g"/> itself where
    /// there is nothing to fold or some view has a reader that cannot absorb it.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var folding = new Folding(g);
        return folding.Analyse() ? QuadPadding.Apply(g.WithNodes(folding.Emit())) : g;
    }

    private sealed record View(Value Buffer, int[] Channels);

    private sealed record Writer(Value? Into, int[] Target, Value Output);

    private sealed class Folding(ModelGraph g)
    {
        private readonly Dictionary<Value, List<int>> _readers = [];
        private readonly Dictionary<Value, int> _producer = [];
        private readonly Dictionary<Value, View> _views = [];
        private readonly Dictionary<Value, List<Value>> _viewsOf = [];     // buffer version -> the view values over it
        private readonly Dictionary<Value, int> _overwrittenAt = [];      // buffer version -> first node writing over it
        private readonly Dictionary<Node, Writer> _writers = [];
        private readonly Dictionary<Value, Value> _physical = [];          // depthwise output -> its permuted form
        private readonly HashSet<Node> _removed = [];

        public bool Analyse()
        {
            for (int i = 0; i < g.Nodes.Count; i++)
            {
                var node = g.Nodes[i];
                _producer[node.Output] = i;
                foreach (var v in node.Inputs) (_readers.TryGetValue(v, out var r) ? r : _readers[v] = []).Add(i);
            }
            foreach (var o in g.Outputs) (_readers.TryGetValue(o, out var r) ? r : _readers[o] = []).Add(int.MaxValue);

            for (int i = 0; i < g.Nodes.Count; i++)
            {
                var node = g.Nodes[i];
                if (node.Inputs.Where(_views.ContainsKey).Any(v => _overwrittenAt.TryGetValue(_views[v].Buffer, out int at) && at <= i))
                    return false;
                switch (node)
                {
                    case SliceChannelsOp s when _views.TryGetValue(s.Input, out var v):
                        AddView(s.Output, v.Buffer, v.Channels.AsSpan(s.First, s.Output.Shape.C).ToArray());
                        _removed.Add(s);
                        break;
                    case ChannelShuffleOp cs when _views.TryGetValue(cs.Input, out var v):
                        AddView(cs.Output, v.Buffer, Enumerable.Range(0, cs.Output.Shape.C).Select(c => v.Channels[cs.SourceChannel(c)]).ToArray());
                        _removed.Add(cs);
                        break;
                    case ConcatOp c when TryFoldConcat(c, i):
                        _removed.Add(c);
                        break;
                    case Conv2dOp c when c.IsDepthwise && _views.TryGetValue(c.Input, out var v):
                        if (c.Residual is not null || !IsWhole(v)) return false;
                        var physical = new Value(c.Output.Name + "/physical", c.Output.Shape);
                        _physical[c.Output] = physical;
                        AddView(c.Output, physical, v.Channels);
                        break;
                    case Conv2dOp { IsPointwise: true, Residual: null }:
                        break;
                    default:
                        if (node.Inputs.Any(_views.ContainsKey)) return false;
                        break;
                }
            }
            return _writers.Count > 0 && !g.Outputs.Any(_views.ContainsKey);
        }

        public List<Node> Emit()
        {
            var nodes = new List<Node>();
            foreach (var node in g.Nodes)
            {
                if (_removed.Contains(node)) continue;
                if (node is not Conv2dOp c) { nodes.Add(node); continue; }
                var view = _views.GetValueOrDefault(c.Input);
                if (c.IsDepthwise && view is not null)
                {
                    var byPhysical = Inverse(view.Channels);
                    nodes.Add(c with
                    {
                        Input = view.Buffer, Output = _physical[c.Output],
                        Weights = ChannelMaps.Rows(c.Weights, c.KernelH * c.KernelW, byPhysical),
                        Bias = c.Bias is null ? null : ChannelMaps.Rows(c.Bias, 1, byPhysical),
                    });
                    continue;
                }
                _writers.TryGetValue(c, out var writer);
                if (view is null && writer is null) { nodes.Add(node); continue; }
                var conv = c;
                int[]? gather = null;
                var source = c.Input;
                if (view is not null)
                {
                    source = view.Buffer;
                    if (IsWhole(view))
                    {
                        conv = c with { Input = view.Buffer, Weights = ChannelMaps.Columns(c.Weights, c.OutC, c.InC, Inverse(view.Channels)) };
                    }
                    else
                    {
                        gather = ChannelMaps.OrderForQuads(view.Channels);
                        var logical = view.Channels.Select((p, l) => (p, l)).ToDictionary(x => x.p, x => x.l);
                        conv = c with
                        {
                            Input = new Value(c.Name + "/gathered", c.Input.Shape),
                            Weights = ChannelMaps.Columns(c.Weights, c.OutC, c.InC, gather.Select(p => logical[p]).ToArray()),
                        };
                    }
                }
                nodes.Add(new MappedPointwiseOp(c.Name, conv, source, gather, writer?.Into, writer?.Target, writer?.Output ?? c.Output));
            }
            return nodes;
        }

        private bool IsWhole(View v) => v.Channels.Length == v.Buffer.Shape.C;

        private void AddView(Value v, Value buffer, int[] channels)
        {
            _views[v] = new View(buffer, channels);
            (_viewsOf.TryGetValue(buffer, out var list) ? list : _viewsOf[buffer] = []).Add(v);
        }

        // A concatenation becomes writers into one buffer: a new one when every part is a 1x1 conv's output read only
        // here, or the buffer of its one view part when the rest of that buffer is read by nobody after the first writer.
        private bool TryFoldConcat(ConcatOp c, int at)
        {
            if (c.Parts.Any(p => p is null)) return false;
            var parts = c.Parts.Select(p => p!).ToList();
            var viewParts = parts.Where(_views.ContainsKey).ToList();
            var writerParts = parts.Where(p => !_views.ContainsKey(p)).ToList();
            if (writerParts.Count == 0 || viewParts.Count > 1) return false;
            foreach (var p in writerParts)
            {
                if (!_producer.TryGetValue(p, out int pi) || g.Nodes[pi] is not Conv2dOp { IsPointwise: true, Residual: null } conv ||
                    _readers[p].Count != 1 || _writers.ContainsKey(conv))
                    return false;
            }
            var writerNodes = writerParts.Select(p => (Conv2dOp)g.Nodes[_producer[p]]).ToList();
            int firstWrite = writerParts.Min(p => _producer[p]);
            var slots = new Dictionary<Value, int[]>();
            Value? into = null;
            if (viewParts.Count == 0)
            {
                int next = 0;
                foreach (var p in parts) { slots[p] = Enumerable.Range(next, p.Shape.C).ToArray(); next += p.Shape.C; }
            }
            else
            {
                var part = viewParts[0];
                var v = _views[part];
                into = v.Buffer;
                if (v.Buffer.Shape != c.Output.Shape || _readers[part].Count != 1) return false;
                // Nobody may read the buffer's other channels from the first write on (later readers fail in Analyse).
                foreach (var other in _viewsOf[v.Buffer])
                    if (other != part && _readers.GetValueOrDefault(other, []).Any(r => r >= firstWrite && (r == int.MaxValue || !_removed.Contains(g.Nodes[r]))))
                        return false;
                if (writerNodes.Any(w => _views.TryGetValue(w.Input, out var wv) && wv.Buffer == v.Buffer)) return false;
                var taken = v.Channels.ToHashSet();
                var free = ChannelMaps.OrderForQuads(Enumerable.Range(0, v.Buffer.Shape.C).Where(ch => !taken.Contains(ch)).ToArray());
                if (free.Length != writerParts.Sum(p => p.Shape.C)) return false;
                slots[part] = v.Channels;
                int next = 0;
                foreach (var p in writerParts) { slots[p] = free.AsSpan(next, p.Shape.C).ToArray(); next += p.Shape.C; }
                _overwrittenAt[v.Buffer] = firstWrite;
            }
            // Writers run in graph order, each over the version the one before it wrote; the last version is the result.
            Value? current = into;
            var ordered = writerParts.OrderBy(p => _producer[p]).ToList();
            for (int k = 0; k < ordered.Count; k++)
            {
                var p = ordered[k];
                var version = k == ordered.Count - 1 ? new Value(c.Output.Name + "/buffer", c.Output.Shape)
                    : new Value($"{c.Output.Name}/buffer{k}", c.Output.Shape);
                _writers[(Conv2dOp)g.Nodes[_producer[p]]] = new Writer(current, slots[p], version);
                current = version;
            }
            AddView(c.Output, current!, parts.SelectMany(p => slots[p]).ToArray());
            return true;
        }

        private static int[] Inverse(int[] channels)
        {
            var inverse = new int[channels.Length];
            for (int l = 0; l < channels.Length; l++) inverse[channels[l]] = l;
            return inverse;
        }
    }
}
