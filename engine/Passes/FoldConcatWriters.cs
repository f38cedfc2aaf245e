using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Passes;

/// <summary>Turns a channel-packed concatenation whose parts are computed by kernels that can write into a quad range of
/// a wider tensor (average pooling, packed 1x1 convolutions, grouped or read through a shuffle: see
/// <see cref="KernelCapabilities.WritesIntoConcat"/>) into those producers writing their quads of one buffer
/// (<see cref="ConcatPartWriteOp"/>), so the concatenation is no copy dispatch: ShuffleNetV1's stride-2 unit, the shortcut's
/// average pool and the branch's last grouped 1x1 (which already carries the unit's ReLU, <see cref="FoldReluIntoConcat"/>).
/// The first writer in graph order makes the buffer; each later one writes in place over the version before
/// (<see cref="Planning.InPlacePolicy"/>), the last one's output is the concatenation's own value, so the planner
/// allocates the buffer once. <see cref="FoldChannelViews"/> does the same for 1x1 and depthwise writers before channels
/// are packed; this pass runs after <see cref="PackChannels"/>, where the layouts the kernels need are known. Only where
/// every part is whole quads, read by the concatenation alone, and produced by such a kernel: otherwise the copy stays.</summary>
internal static class FoldConcatWriters
{
    /// <summary>The graph with every foldable packed concatenation turned into writers (unchanged where there is none).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var step = g.Nodes.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var replaced = new Dictionary<Node, Node?>();
        foreach (var node in g.Nodes)
        {
            if (node is not ConcatOp { Output.Layout: TensorLayout.Nc4hw4 } concat || concat.Parts.Any(p => p is null)) continue;
            var parts = concat.Parts.Select(p => p!).ToList();
            if (parts.Distinct().Count() != parts.Count || parts.Any(p => p.Shape.C % 4 != 0)) continue;
            var writers = parts.Select(p => producer.GetValueOrDefault(p)).ToList();
            if (writers.Any(w => w is null || replaced.ContainsKey(w) || !KernelCapabilities.WritesIntoConcat(w)) ||
                parts.Any(p => uses.SoleConsumer(p) != concat))
                continue;
            var firstQuads = parts.Select((p, i) => parts.Take(i).Sum(x => x.Shape.C) / 4).ToList();
            var inOrder = Enumerable.Range(0, parts.Count).OrderBy(i => step[writers[i]!]).ToList();
            Value? into = null;
            for (int k = 0; k < inOrder.Count; k++)
            {
                int i = inOrder[k];
                var output = k == inOrder.Count - 1 ? concat.Output : new Value($"{concat.Name}/written{k}", concat.Output.Shape, TensorLayout.Nc4hw4);
                replaced[writers[i]!] = new ConcatPartWriteOp(writers[i]!.Name, writers[i]!, into, firstQuads[i], output);
                into = output;
            }
            replaced[concat] = null;
        }
        if (replaced.Count == 0) return g;
        return g.WithNodes(g.Nodes.Select(n => replaced.TryGetValue(n, out var r) ? r : n).Where(n => n is not null).Select(n => n!).ToList());
    }
}
