using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Planning;

/// <summary>Gives every tensor its own region (no reuse). The baseline the reuse planner is measured against,
/// and the simplest correct plan.</summary>
internal static class NaivePlanner
{
    public static MemoryPlan Plan(ModelGraph graph, int batch, Func<Node, long>? scratchElements = null)
    {
        var liveness = Liveness.Compute(graph, scratchElements: scratchElements);
        var offsets = new Dictionary<Value, long>();
        long next = 0;
        void Place(Value v)
        {
            offsets[v] = next;
            next = MemoryPlan.Align(next + (long)v.Shape.Elements * batch);
        }
        foreach (var input in graph.Inputs) Place(input);
        foreach (var node in graph.Nodes)
        {
            if (node is FlattenOp f) offsets[f.Output] = offsets[f.Input];
            // It writes some channels of Into and keeps the rest: the same memory whatever the planner.
            else if (node is MappedConvOp { Into: { } into } m) offsets[m.Output] = offsets[into];
            else if (node is ConcatPartWriteOp { Into: { } partInto } w) offsets[w.Output] = offsets[partInto];
            else Place(node.Output);
            if (liveness.ScratchOf(node) is { } scratch) Place(scratch);
        }
        return new MemoryPlan(offsets, next, batch, liveness);
    }
}
