using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Passes;

/// <summary>Turns channel splits, concatenations and shuffles into quad tables of the convolutions around them
/// (ShuffleNetV2's units, GhostNet's ghost modules), so none of them is a pass over a tensor.
/// <para>A concatenation whose parts are convolution outputs becomes a <i>pool</i>: one buffer that each of those
/// convolutions writes its channels into (<see cref="MappedConvOp"/> with target quads). A concatenation of one view of a
/// pool and convolution outputs reuses that pool: ShuffleNetV2's branch writes into the quads freed by the half it split
/// off and read. A slice or shuffle of a pool is a <i>view</i>: per logical channel, a channel id of the pool. Readers
/// absorb views: a 1x1 convolution gathers the quads holding its channels (order and the quads' other channels absorbed
/// in its weights, zero columns); a depthwise convolution runs over the whole pool with its channels placed to match,
/// and its output is a view of its own.</para>
/// <para>Placement: a pool read as it is (GhostNet) keeps concatenation order (parts of whole quads only). A pool read
/// only through views gets its channel ids placed when every reader is known: each writer's channels grouped by the
/// last node that reads them and packed into whole quads (padding channels written as zeros), each quad taken from those
/// whose channels are all read by then, so every read and write moves whole vec4s (a per-channel table with a scalar
/// path measured 10x slower). All or nothing: where a view has a reader that cannot absorb it, the graph stays as it
/// is.</para></summary>
internal static class FoldChannelViews
{
    /// <summary>The graph with its splits, shuffles and concatenations folded, or <paramref name="g"/> itself where
    /// there is nothing to fold or some view has a reader that cannot absorb it.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var folding = new Folding(g);
        if (!folding.Analyse() || !folding.Allocate()) return g;
        var folded = QuadPadding.Apply(g.WithNodes(folding.Emit()));
        // The packed kernels move whole quads: a convolution whose own channels could not be padded (its reader is not
        // a depthwise → 1x1 chain), or one reading a plain tensor of other widths, leaves the graph as it was.
        return folded.Nodes.OfType<MappedConvOp>().All(m => m.Source.Shape.C % 4 == 0 && m.Conv.InC % 4 == 0 && m.Conv.OutC % 4 == 0)
            ? folded : g;
    }

    private sealed class Pool(string name, int h, int w, Value? final, Pool? mirrorOf = null)
    {
        private readonly Dictionary<int, int> _slot = [];
        private int _quads;
        public string Name { get; } = name;
        public int H { get; } = h;
        public int W { get; } = w;
        /// <summary>A pool read as it is: the concatenation's own value is its last version; channels in order.</summary>
        public Value? Final { get; } = final;
        /// <summary>A depthwise convolution's output over a whole pool: the same placement, one version.</summary>
        public Pool? MirrorOf { get; } = mirrorOf;
        public List<Writer> Writers { get; } = [];
        public List<Value> Versions { get; } = [];
        public Dictionary<int, int> Slot => MirrorOf?.Slot ?? _slot;
        public int Quads { get => MirrorOf?.Quads ?? _quads; set => _quads = value; }
        public int LastFirstWrite { get; set; } = -1;
    }

    private sealed record View(Pool Pool, int[] Ids);

    private sealed class Writer(Conv2dOp conv, Pool pool, int version, int[] ids, int index)
    {
        public Conv2dOp Conv { get; } = conv;
        public Pool Pool { get; } = pool;
        public int Version { get; } = version;
        public int[] Ids { get; } = ids;
        public int Index { get; } = index;
        public int[] Quads { get; set; } = [];
    }

    private sealed class Folding(ModelGraph g)
    {
        private readonly Dictionary<Value, List<int>> _readers = [];
        private readonly Dictionary<Value, int> _producer = [];
        private readonly Dictionary<Value, View> _views = [];
        private readonly Dictionary<Node, Writer> _writers = [];
        private readonly Dictionary<Node, Pool> _mirrors = [];
        private readonly Dictionary<int, int> _lastRead = [];
        private readonly List<Pool> _pools = [];
        private readonly HashSet<Node> _removed = [];
        private readonly Dictionary<Value, int> _gathers = [];   // view read as a plain tensor -> where it is gathered
        private readonly HashSet<Node> _plainReaders = [];       // nodes left as they are (their views gathered)
        private int _nextId;

        public bool Analyse()
        {
            for (int i = 0; i < g.Nodes.Count; i++)
            {
                _producer[g.Nodes[i].Output] = i;
                foreach (var v in g.Nodes[i].Inputs) (_readers.TryGetValue(v, out var r) ? r : _readers[v] = []).Add(i);
            }
            foreach (var o in g.Outputs) (_readers.TryGetValue(o, out var r) ? r : _readers[o] = []).Add(int.MaxValue);

            for (int i = 0; i < g.Nodes.Count; i++)
            {
                var node = g.Nodes[i];
                switch (node)
                {
                    case SliceChannelsOp s when _views.TryGetValue(s.Input, out var v):
                        _views[s.Output] = v with { Ids = v.Ids.AsSpan(s.First, s.Output.Shape.C).ToArray() };
                        _removed.Add(s);
                        break;
                    case ChannelShuffleOp cs when _views.TryGetValue(cs.Input, out var v):
                        _views[cs.Output] = v with { Ids = Enumerable.Range(0, cs.Output.Shape.C).Select(c => v.Ids[cs.SourceChannel(c)]).ToArray() };
                        _removed.Add(cs);
                        break;
                    case ConcatOp c when TryFoldConcat(c, i):
                        _removed.Add(c);
                        break;
                    case Conv2dOp { IsDepthwise: true, Residual: null } c when IsView(c.Input) && _views[c.Input].Pool.Final is null && !_writers.ContainsKey(c):
                        var read = _views[c.Input];
                        var mirror = new Pool(c.Output.Name + "/physical", c.Output.Shape.H, c.Output.Shape.W, null, read.Pool);
                        _mirrors[c] = mirror;
                        _views[c.Output] = new View(mirror, read.Ids);
                        Read(read, i);
                        break;
                    case Conv2dOp { IsPointwise: true, Residual: null } c when IsView(c.Input):
                        Read(_views[c.Input], i);
                        break;
                    case Conv2dOp { IsDepthwise: true } c when _writers.ContainsKey(c):
                        break;
                    default:
                        var gathered = node.Inputs.Where(IsView).ToList();
                        foreach (var v in gathered) Gather(v, i);
                        if (gathered.Count > 0) _plainReaders.Add(node);
                        break;
                }
            }
            foreach (var v in g.Outputs.Where(IsView)) Gather(v, g.Nodes.Count);
            return _writers.Count > 0;
        }

        // A reader that cannot take a view through a quad table (a resize, a pad, a convolution with a residual, the
        // graph's output) reads a plain tensor gathered from the pool just before the first such reader.
        private void Gather(Value v, int at)
        {
            if (!_gathers.TryAdd(v, at)) return;
            Read(_views[v], at);
        }

        /// <summary>Places every pool's channel ids (see the class summary); false where a depthwise reader would read a
        /// quad no one has written yet.</summary>
        public bool Allocate()
        {
            foreach (var pool in _pools.Where(p => p.Final is null))
            {
                var freeAfter = new List<int>();   // per quad: the last node reading what it holds
                foreach (var w in pool.Writers)
                {
                    var taken = new List<int>();
                    foreach (var group in w.Ids.GroupBy(id => _lastRead.GetValueOrDefault(id, w.Index)).OrderBy(x => x.Key))
                        foreach (var chunk in group.Chunk(4))
                        {
                            int q = Enumerable.Range(0, freeAfter.Count).FirstOrDefault(k => freeAfter[k] < w.Index && !taken.Contains(k), -1);
                            if (q < 0) { q = freeAfter.Count; freeAfter.Add(0); pool.LastFirstWrite = w.Index; }
                            freeAfter[q] = group.Key;
                            taken.Add(q);
                            for (int k = 0; k < chunk.Length; k++) pool.Slot[chunk[k]] = q * 4 + k;
                        }
                    w.Quads = [.. taken];
                }
                pool.Quads = freeAfter.Count;
            }
            foreach (var w in _writers.Values.Where(w => w.Pool.Final is not null))
                w.Quads = w.Ids.Select(id => w.Pool.Slot[id] / 4).Distinct().ToArray();
            return _mirrors.All(m => m.Value.MirrorOf!.LastFirstWrite < _producer[m.Key.Output]);
        }

        public List<Node> Emit()
        {
            foreach (var pool in _pools)
                foreach (var w in pool.Writers)
                    pool.Versions.Add(pool.Final is not null && w == pool.Writers[^1] ? pool.Final
                        : new Value($"{pool.Name}/buffer{w.Version}", new TensorShape(pool.Quads * 4, pool.H, pool.W)));
            var nodes = new List<Node>();
            for (int i = 0; i < g.Nodes.Count; i++)
            {
                nodes.AddRange(GathersAt(i));
                var node = g.Nodes[i];
                if (_removed.Contains(node)) continue;
                if (node is not Conv2dOp c || _plainReaders.Contains(node)) { nodes.Add(node); continue; }
                var view = IsView(c.Input) ? _views[c.Input] : null;
                _writers.TryGetValue(c, out var writer);
                if (_mirrors.TryGetValue(c, out var mirror))
                {
                    var rows = SlotSources(view!, mirror.Quads * 4);
                    mirror.Versions.Add(new Value(mirror.Name, new TensorShape(rows.Length, c.Output.Shape.H, c.Output.Shape.W)));
                    nodes.Add(c with
                    {
                        Input = Latest(view!.Pool, i), Output = mirror.Versions[0], Groups = rows.Length,
                        Weights = ChannelMaps.Rows(c.Weights, c.KernelH * c.KernelW, rows),
                        Bias = c.Bias is null ? null : ChannelMaps.Rows(c.Bias, 1, rows),
                    });
                    continue;
                }
                if (view is null && writer is null) { nodes.Add(node); continue; }
                var conv = c;
                var source = c.Input;
                int[]? sourceQuads = null;
                if (view is not null)
                {
                    source = Latest(view.Pool, i);
                    sourceQuads = view.Ids.Select(id => view.Pool.Slot[id] / 4).Distinct().Order().ToArray();
                    var columns = SlotSources(view, sourceQuads);
                    conv = c with
                    {
                        Input = new Value(c.Name + "/gathered", c.Input.Shape with { C = columns.Length }),
                        Weights = c.IsDepthwise ? c.Weights : ChannelMaps.Columns(c.Weights, c.OutC, c.InC, columns),
                    };
                }
                Value? into = null;
                var output = c.Output;
                int[]? targetQuads = null;
                if (writer is not null)
                {
                    var pool = writer.Pool;
                    targetQuads = writer.Quads;
                    var byId = writer.Ids.Select((id, o) => (id, o)).ToDictionary(x => pool.Slot[x.id], x => x.o);
                    var rows = targetQuads.SelectMany(q => Enumerable.Range(q * 4, 4)).Select(s => byId.GetValueOrDefault(s, -1)).ToArray();
                    int rowSize = conv.IsDepthwise ? conv.KernelH * conv.KernelW : conv.InC;
                    conv = conv with
                    {
                        Output = new Value(c.Output.Name + "/unscattered", c.Output.Shape with { C = rows.Length }),
                        Weights = ChannelMaps.Rows(conv.Weights, rowSize, rows),
                        Bias = conv.Bias is null ? null : ChannelMaps.Rows(conv.Bias, 1, rows),
                        Groups = conv.IsDepthwise ? rows.Length : 1,
                    };
                    into = writer.Version > 0 ? pool.Versions[writer.Version - 1] : null;
                    output = pool.Versions[writer.Version];
                }
                nodes.Add(new MappedConvOp(c.Name, conv, source, sourceQuads, into, targetQuads, output));
            }
            nodes.AddRange(GathersAt(g.Nodes.Count));
            return nodes;
        }

        // The view keeps its value: the gather produces what the removed slices and shuffles did.
        private IEnumerable<Node> GathersAt(int at)
        {
            foreach (var (v, where) in _gathers)
            {
                if (where != at) continue;
                var view = _views[v];
                yield return new GatherChannelsOp(v.Name + "/gathered", Latest(view.Pool, at), v, [.. view.Ids.Select(id => view.Pool.Slot[id])]);
            }
        }

        // A value that is a pool read as it is (a concatenation's result) needs nothing of its readers.
        private bool IsView(Value v) => _views.TryGetValue(v, out var view) && view.Pool.Final != v;

        private void Read(View v, int at)
        {
            foreach (var id in v.Ids) _lastRead[id] = Math.Max(_lastRead.GetValueOrDefault(id), at);
        }

        // The pool's buffer as the node at `at` sees it: after the last writer before it.
        private static Value Latest(Pool pool, int at) =>
            pool.MirrorOf is not null ? pool.Versions[0] : pool.Versions[pool.Writers.FindLastIndex(w => w.Index < at)];

        // Per channel of the given quads of a view's pool (or of all its channels): the view's logical channel there, or -1.
        private static int[] SlotSources(View v, int[] quads)
        {
            var logical = v.Ids.Select((id, l) => (id, l)).ToDictionary(x => v.Pool.Slot[x.id], x => x.l);
            return quads.SelectMany(q => Enumerable.Range(q * 4, 4)).Select(s => logical.GetValueOrDefault(s, -1)).ToArray();
        }

        private static int[] SlotSources(View v, int channels) => SlotSources(v, Enumerable.Range(0, channels / 4).ToArray());

        // A concatenation becomes writers into one pool: a new one when every part is a convolution's output read only
        // here (or by a later writer of the same concatenation), or the pool of its one view part.
        private bool TryFoldConcat(ConcatOp c, int at)
        {
            if (c.Parts.Any(p => p is null)) return false;
            var parts = c.Parts.Select(p => p!).ToList();
            var viewParts = parts.Where(IsView).ToList();
            var writerParts = parts.Where(p => !IsView(p)).OrderBy(p => _producer.GetValueOrDefault(p, -1)).ToList();
            if (writerParts.Count == 0 || viewParts.Count > 1 || parts.Distinct().Count() != parts.Count) return false;
            foreach (var p in writerParts)
                if (!_producer.TryGetValue(p, out int pi) || g.Nodes[pi] is not Conv2dOp { Residual: null } conv ||
                    !(conv.IsPointwise || conv.IsDepthwise) || _writers.ContainsKey(conv) || _mirrors.ContainsKey(conv))
                    return false;
            var convs = writerParts.Select(p => (Conv2dOp)g.Nodes[_producer[p]]).ToList();
            var writerIndices = writerParts.Select(p => _producer[p]).ToHashSet();
            Pool pool;
            if (viewParts.Count == 1)
            {
                var v = _views[viewParts[0]];
                pool = v.Pool;
                if (pool.Final is not null || pool.MirrorOf is not null || _readers[viewParts[0]].Count != 1 || convs.Any(w => w.IsDepthwise) ||
                    writerParts.Any(p => _readers[p].Count != 1) || pool.Writers[^1].Index > writerIndices.Min() ||
                    convs.Any(w => IsView(w.Input) && _views[w.Input].Pool == pool))
                    return false;
            }
            else
            {
                // Read as it is (GhostNet), or only through slices and shuffles (ShuffleNetV2): channels placed later.
                bool asItIs = _readers[c.Output].Any(r => r == int.MaxValue || g.Nodes[r] is not (SliceChannelsOp or ChannelShuffleOp)) || convs.Any(w => w.IsDepthwise);
                if (asItIs && parts.Any(p => p.Shape.C % 4 != 0)) return false;
                foreach (var p in writerParts)
                    if (_readers[p].Any(r => r != at && !(writerIndices.Contains(r) && r > _producer[p] && asItIs)))
                        return false;
                pool = new Pool(c.Output.Name, c.Output.Shape.H, c.Output.Shape.W, asItIs ? c.Output : null);
                _pools.Add(pool);
            }
            var ids = new Dictionary<Value, int[]>();
            foreach (var p in parts) ids[p] = IsView(p) ? _views[p].Ids : Enumerable.Range((_nextId += p.Shape.C) - p.Shape.C, p.Shape.C).ToArray();
            if (pool.Final is not null)
            {
                int next = 0;
                foreach (var p in parts) foreach (var id in ids[p]) pool.Slot[id] = next++;
                pool.Quads = next / 4;
                foreach (var w in convs.Where(w => w.IsDepthwise))
                    if (IsView(w.Input) || writerParts.Contains(w.Input) && w.Input.Shape.C != w.InC) return false;
            }
            foreach (var p in writerParts)
            {
                var w = new Writer((Conv2dOp)g.Nodes[_producer[p]], pool, pool.Writers.Count, ids[p], _producer[p]);
                pool.Writers.Add(w);
                _writers[w.Conv] = w;
                if (_readers[p].Count > 1) _views[p] = new View(pool, ids[p]);
            }
            _views[c.Output] = new View(pool, [.. parts.SelectMany(p => ids[p])]);
            return true;
        }
    }
}
