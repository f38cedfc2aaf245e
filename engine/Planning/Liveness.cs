using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Planning;

/// <summary>Live intervals of every value of a graph over its node order (the order the session dispatches in),
/// grouped into <see cref="LiveStorage"/> regions: a Flatten's output is its input's memory, and an op allowed to
/// work in place writes its output over an input that dies at that op.
/// <para>Rules: node i runs at step i. The graph input is written at step -1 and pinned to the end of the run,
/// so nothing ever overwrites what the caller wrote. The graph output lives to step <c>Nodes.Count</c>.
/// A value nobody reads lives at its defining step only (it is still written there). A node's scratch (memory its
/// kernels use between their own dispatches, such as a Winograd convolution's transformed tiles) is a region of its own
/// live at that node's step only, so it never overlaps the node's inputs or output.</para></summary>
internal sealed class Liveness
{
    private readonly Dictionary<Value, LiveStorage> _storageOf = new();
    private readonly Dictionary<Value, LiveInterval> _intervalOf = new();
    private readonly HashSet<Node> _inPlace = [];
    private readonly Dictionary<Node, Value> _scratchOf = [];
    private readonly List<LiveStorage> _storages = [];

    private Liveness(ModelGraph graph) => Graph = graph;

    public ModelGraph Graph { get; }

    /// <summary>Regions in order of first definition; the graph input's is first.</summary>
    public IReadOnlyList<LiveStorage> Storages => _storages;

    public int FirstStep => -1;

    public int LastStep => Graph.Nodes.Count;

    /// <summary>Computes liveness. <paramref name="inPlaceInput"/> names, per node, the input the node may
    /// overwrite (see <see cref="InPlacePolicy"/>); null means no op works in place. A proposal is taken only
    /// when it is safe whatever the op: that input's whole region dies at this node, it is not the pinned graph
    /// input, the sizes match, and no other input of the node is the same memory under another name.
    /// <paramref name="scratchElements"/> gives the scratch elements per sample each node's kernels need (null: none).</summary>
    public static Liveness Compute(ModelGraph graph, Func<Node, Value?>? inPlaceInput = null, Func<Node, long>? scratchElements = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var l = new Liveness(graph);
        int end = graph.Nodes.Count;

        var lastUse = graph.Inputs.ToDictionary(v => v, _ => end);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            lastUse[node.Output] = i;
            foreach (var v in node.Inputs) lastUse[v] = Math.Max(lastUse[v], i);
        }
        foreach (var output in graph.Outputs) lastUse[output] = end;

        foreach (var input in graph.Inputs) l.NewStorage(input, -1, pinned: true, end);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            l._intervalOf[node.Output] = new LiveInterval(i, lastUse[node.Output]);
            var shared = node is FlattenOp f ? f.Input : l.InPlaceCandidate(node, i, inPlaceInput);
            if (shared is null)
            {
                l.NewStorage(node.Output, i, pinned: false, lastUse[node.Output]);
                continue;
            }
            var s = l._storageOf[shared];
            s.Add(node.Output);
            s.End = Math.Max(s.End, lastUse[node.Output]);
            l._storageOf[node.Output] = s;
            if (node is not FlattenOp) l._inPlace.Add(node);
        }
        for (int i = 0; i < graph.Nodes.Count && scratchElements is not null; i++)
            if (scratchElements(graph.Nodes[i]) is > 0 and var elements)
            {
                var node = graph.Nodes[i];
                var scratch = new Value($"{node.Name} (scratch)", new Tensors.TensorShape(checked((int)elements), 1, 1));
                l.NewStorage(scratch, i, pinned: false, i);
                l._scratchOf[node] = scratch;
                // A part written into a concatenation plans its own kernels, which ask for the scratch by the part.
                if (node is ConcatPartWriteOp write) l._scratchOf[write.Part] = scratch;
            }
        return l;
    }

    /// <summary>The scratch region of <paramref name="node"/>'s kernels (a value of the plan, live at the node's step
    /// only), or null where it needs none.</summary>
    public Value? ScratchOf(Node node) => _scratchOf.GetValueOrDefault(node);

    public LiveStorage StorageOf(Value v) => _storageOf.TryGetValue(v, out var s) ? s
        : throw new KeyNotFoundException($"value '{v.Name}' is not in graph '{Graph.Name}'");

    /// <summary>The value's own interval: defining step to last read (the graph input: the whole run).</summary>
    public LiveInterval IntervalOf(Value v) => _intervalOf.TryGetValue(v, out var i) ? i
        : throw new KeyNotFoundException($"value '{v.Name}' is not in graph '{Graph.Name}'");

    /// <summary>True when the node's output overwrites one of its inputs (Flatten, a pure alias, is not counted).</summary>
    public bool IsInPlace(Node node) => _inPlace.Contains(node);

    public IEnumerable<LiveStorage> LiveAt(int step) => _storages.Where(s => s.Interval.Contains(step));

    /// <summary>Aligned elements of all regions live at <paramref name="step"/>, each region counted once.</summary>
    public long LiveElementsAt(int step, int batch) =>
        step < FirstStep || step > LastStep ? 0 : LiveElementsByStep(batch)[step - FirstStep];

    // Live totals of every step from one sweep over the regions (add at start, remove after end), so a report over
    // all steps of a 20,000-layer graph is linear, not quadratic. Cached per batch: the regions do not change.
    private readonly Dictionary<int, long[]> _liveByStep = [];

    private long[] LiveElementsByStep(int batch)
    {
        if (_liveByStep.TryGetValue(batch, out var cached)) return cached;
        var delta = new long[LastStep - FirstStep + 2];
        foreach (var s in _storages)
        {
            delta[s.Start - FirstStep] += s.AlignedElements(batch);
            delta[s.End - FirstStep + 1] -= s.AlignedElements(batch);
        }
        var live = new long[LastStep - FirstStep + 1];
        long running = 0;
        for (int i = 0; i < live.Length; i++) live[i] = running += delta[i];
        return _liveByStep[batch] = live;
    }

    /// <summary>The largest <see cref="LiveElementsAt"/> over all steps: regions live at the same step must be
    /// disjoint in any correct plan and each costs its aligned size (offsets are aligned), so no arena for these
    /// intervals and this in-place sharing can be smaller.</summary>
    public long PeakElements(int batch)
    {
        long peak = 0;
        for (int step = FirstStep; step <= LastStep; step++) peak = Math.Max(peak, LiveElementsAt(step, batch));
        return peak;
    }

    private LiveStorage NewStorage(Value v, int start, bool pinned, int end)
    {
        var s = new LiveStorage(_storages.Count, v, start, pinned) { End = end };
        _storages.Add(s);
        _storageOf[v] = s;
        _intervalOf.TryAdd(v, new LiveInterval(start, end));
        return s;
    }

    private Value? InPlaceCandidate(Node node, int step, Func<Node, Value?>? inPlaceInput)
    {
        var candidate = inPlaceInput?.Invoke(node);
        if (candidate is null) return null;
        if (!node.Inputs.Contains(candidate))
            throw new ArgumentException($"in-place policy named '{candidate.Name}' for {node}, which does not read it");
        var s = _storageOf[candidate];
        if (s.IsPinned || s.End != step || candidate.Shape.Elements != node.Output.Shape.Elements) return null;
        // Another name for the same memory (an alias) may be read at other indices than the one being written.
        if (node.Inputs.Any(v => v != candidate && _storageOf[v] == s)) return null;
        return candidate;
    }
}
