using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Passes;

/// <summary>Turns a concatenation whose parts are computed by kernels that can write into a channel range of a wider
/// tensor (average pooling, 1x1 convolutions, grouped or read through a shuffle, packed Winograd and conv2d_packed
/// convolutions: see
/// <see cref="KernelCapabilities.WritesIntoConcat"/>) into those producers writing their channels of one buffer
/// (<see cref="ConcatPartWriteOp"/>), so the concatenation is no copy dispatch: ShuffleNetV1's stride-2 unit, the shortcut's
/// average pool and the branch's last grouped 1x1 (which already carries the unit's ReLU, <see cref="FoldReluIntoConcat"/>).
/// The first writer in graph order makes the buffer; each later one writes in place over the version before
/// (<see cref="Planning.InPlacePolicy"/>), the last one's output is the concatenation's own value, so the planner
/// allocates the buffer once. <see cref="FoldChannelViews"/> does this for 1x1 and depthwise writers before channels are
/// packed; this pass runs after <see cref="PackChannels"/>, where the layouts the kernels need are known. In NC4HW4 every
/// part must be whole quads; in NCHW (a planar stage) any channel count, and a pool that wrote NC4HW4 only to be
/// converted for the concatenation writes NCHW itself. Only where every part is read by the concatenation alone and
/// produced by such a kernel: otherwise the copy stays.</summary>
internal static class FoldConcatWriters
{
    /// <summary>The graph with every foldable concatenation turned into writers (unchanged where there is none).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var step = g.Nodes.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var replaced = new Dictionary<Node, Node?>();

        // The node whose place the writer of part p takes, and the op it runs (null where none can write p).
        (Node At, Node Part, Node? Removed)? WriterOf(Value p, ConcatOp concat)
        {
            if (!producer.TryGetValue(p, out var node) || replaced.ContainsKey(node) || uses.SoleConsumer(p) != concat) return null;
            if (KernelCapabilities.WritesIntoConcat(node) && node.Output.Layout == concat.Output.Layout) return (node, node, null);
            // A packed pool converted to NCHW only for this concatenation (a planar stage after a packed one).
            if (node is LayoutConvertOp { Input.Layout: TensorLayout.Nc4hw4, Output.Layout: TensorLayout.Nchw } convert &&
                producer.TryGetValue(convert.Input, out var pool) && pool is AvgPoolOp avg && !replaced.ContainsKey(pool) &&
                uses.SoleConsumer(convert.Input) == convert)
            {
                var planar = avg with { Output = convert.Output };
                if (KernelCapabilities.WritesIntoConcat(planar)) return (convert, planar, pool);
            }
            return null;
        }

        foreach (var node in g.Nodes)
        {
            if (node is not ConcatOp concat || concat.Parts.Any(p => p is null)) continue;
            var parts = concat.Parts.Select(p => p!).ToList();
            if (parts.Distinct().Count() != parts.Count || concat.Output.Layout == TensorLayout.Nc4hw4 && parts.Any(p => p.Shape.C % 4 != 0)) continue;
            var writers = parts.Select(p => WriterOf(p, concat)).ToList();
            if (writers.Any(w => w is null)) continue;
            var firstChannels = parts.Select((p, i) => parts.Take(i).Sum(x => x.Shape.C)).ToList();
            var inOrder = Enumerable.Range(0, parts.Count).OrderBy(i => step[writers[i]!.Value.At]).ToList();
            Value? into = null;
            for (int k = 0; k < inOrder.Count; k++)
            {
                var (at, part, removed) = writers[inOrder[k]]!.Value;
                var output = k == inOrder.Count - 1 ? concat.Output : new Value($"{concat.Name}/written{k}", concat.Output.Shape, concat.Output.Layout);
                replaced[at] = new ConcatPartWriteOp(part.Name, part, into, firstChannels[inOrder[k]], output);
                if (removed is not null) replaced[removed] = null;
                into = output;
            }
            replaced[concat] = null;
        }
        return g.Replacing(replaced);
    }
}
