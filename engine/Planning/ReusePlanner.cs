using GpuMobileNet.Graph;

namespace GpuMobileNet.Planning;

/// <summary>Plans one activation arena in which tensors whose live intervals do not meet share memory.
/// Liveness comes from <see cref="Liveness"/> (in place where the policy allows); offsets come from a greedy
/// best-fit placement run under a few orderings, keeping the smallest arena. Each placement puts a region into
/// the smallest gap, among the regions already placed that are live at the same time as it, that fits it,
/// or above all of them if none does; so two regions live at once never overlap, whatever the ordering.</summary>
public static class ReusePlanner
{
    /// <param name="inPlaceInput">Which input each node may overwrite; null means <see cref="InPlacePolicy.Default"/>
    /// (pass <see cref="InPlacePolicy.None"/> to turn in-place off).</param>
    public static MemoryPlan Plan(ModelGraph graph, int batch, Func<Node, Value?>? inPlaceInput = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var liveness = Liveness.Compute(graph, inPlaceInput ?? InPlacePolicy.Default);
        var regions = liveness.Storages.Select(s => new Region(s, s.AlignedElements(batch))).ToList();

        // Size first is the classic greedy-by-size order (big tensors get the low, contiguous space); definition
        // order follows the schedule, which suits chains; long-lived first keeps them from fragmenting the rest.
        // None dominates on every graph and each costs microseconds, so keep whichever packs tightest.
        IEnumerable<Region>[] orders =
        [
            regions.OrderByDescending(r => r.Size).ThenBy(r => r.Storage.Start),
            regions.OrderBy(r => r.Storage.Start).ThenByDescending(r => r.Size),
            regions.OrderByDescending(r => r.Storage.End - r.Storage.Start).ThenByDescending(r => r.Size),
            regions.OrderByDescending(r => r.Size * (r.Storage.End - r.Storage.Start + 1)),
        ];
        Dictionary<LiveStorage, long>? best = null;
        long bestArena = long.MaxValue;
        foreach (var order in orders)
        {
            var (offsets, arena) = Place(order.ToList());
            if (arena < bestArena) (best, bestArena) = (offsets, arena);
        }

        var valueOffsets = new Dictionary<Value, long>();
        foreach (var s in liveness.Storages)
            foreach (var v in s.Values)
                valueOffsets[v] = best![s];
        return new MemoryPlan(valueOffsets, bestArena, batch, liveness);
    }

    private static (Dictionary<LiveStorage, long> Offsets, long Arena) Place(List<Region> order)
    {
        var offsets = new Dictionary<LiveStorage, long>();
        var placed = new List<(long Offset, long Size, LiveInterval Live)>();
        long arena = 0;
        foreach (var r in order)
        {
            var live = r.Storage.Interval;
            var conflicts = placed.Where(p => p.Live.Intersects(live)).OrderBy(p => p.Offset).ToList();
            long bestOffset = -1, bestGap = long.MaxValue, top = 0;
            foreach (var c in conflicts)
            {
                // top = highest end so far; conflicts may nest or overlap each other (they need not be live together).
                long gap = c.Offset - top;
                if (gap >= r.Size && gap < bestGap) (bestOffset, bestGap) = (top, gap);
                top = Math.Max(top, c.Offset + c.Size);
            }
            long offset = bestOffset >= 0 ? bestOffset : top;
            offsets[r.Storage] = offset;
            placed.Add((offset, r.Size, live));
            arena = Math.Max(arena, offset + r.Size);
        }
        return (offsets, MemoryPlan.Align(arena));
    }

    private sealed record Region(LiveStorage Storage, long Size);
}
