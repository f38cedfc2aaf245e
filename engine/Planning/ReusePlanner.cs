using GpuMobileNet.Graph;

namespace GpuMobileNet.Planning;

/// <summary>Plans one activation arena in which tensors whose live intervals do not meet share memory.
/// Liveness comes from <see cref="Liveness"/> (in place where the policy allows); offsets come from a greedy
/// best-fit placement run under a few orderings, then (where none reaches the theoretical minimum) under jittered
/// size-first orderings from a fixed seed, keeping the smallest arena. Each placement puts a region into
/// the smallest gap, among the regions already placed that are live at the same time as it, that fits it,
/// or above all of them if none does; so two regions live at once never overlap, whatever the ordering.</summary>
internal static class ReusePlanner
{
    /// <param name="inPlaceInput">Which input each node may overwrite; null means <see cref="InPlacePolicy.Default"/>
    /// (pass <see cref="InPlacePolicy.None"/> to turn in-place off).</param>
    /// <param name="scratchElements">Scratch elements per sample each node's kernels need (see <see cref="Liveness"/>).</param>
    public static MemoryPlan Plan(ModelGraph graph, int batch, Func<Node, Value?>? inPlaceInput = null, Func<Node, long>? scratchElements = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var liveness = Liveness.Compute(graph, inPlaceInput ?? InPlacePolicy.Default, scratchElements);
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
            var (offsets, arena) = Place(order.ToList(), liveness.FirstStep, liveness.LastStep);
            if (arena < bestArena) (best, bestArena) = (offsets, arena);
        }
        // No fixed order is best everywhere: where the best so far is above the lower bound, try jittered size-first
        // orders (a fixed seed, so plans stay deterministic), as many as a budget of region placements allows.
        long minimum = MemoryPlan.Align(liveness.PeakElements(batch));
        var random = new Random(17);
        for (int attempt = 0; attempt < JitteredOrders && bestArena > minimum && (long)attempt * regions.Count < JitterBudget; attempt++)
        {
            var jittered = regions.Select(r => (Region: r, Key: r.Size * (0.5 + random.NextDouble()))).OrderByDescending(x => x.Key).Select(x => x.Region).ToList();
            var (offsets, arena) = Place(jittered, liveness.FirstStep, liveness.LastStep);
            if (arena < bestArena) (best, bestArena) = (offsets, arena);
        }

        var valueOffsets = new Dictionary<Value, long>();
        foreach (var s in liveness.Storages)
            foreach (var v in s.Values)
                valueOffsets[v] = best![s];
        return new MemoryPlan(valueOffsets, bestArena, batch, liveness);
    }

    // Regions live for at most this many steps are found through their start step; longer ones are checked one by
    // one. A chain of 20,000 layers has nearly all regions short, so placing is near-linear instead of quadratic.
    private const int ShortSpan = 64;

    // Jittered orders: ShuffleNetV1's stem, stride-2 unit and stage-2 residual chain leave every fixed order 8-15%
    // above the minimum (the 1x1 input of the first unit is live across the unit); a few dozen jittered orders reach it.
    // The budget (orders x regions) keeps a 20,000-layer graph to a few extra placements.
    private const int JitteredOrders = 64;
    private const long JitterBudget = 200_000;

    private static (Dictionary<LiveStorage, long> Offsets, long Arena) Place(List<Region> order, int firstStep, int lastStep)
    {
        var offsets = new Dictionary<LiveStorage, long>();
        var shortByStart = new List<Placed>?[lastStep - firstStep + 1];
        var longLived = new List<Placed>();
        long arena = 0;
        foreach (var r in order)
        {
            var live = r.Storage.Interval;
            // Every placed region live at the same time as this one: a short one starts at most ShortSpan steps before.
            var conflicts = longLived.Where(p => p.Live.Intersects(live)).ToList();
            for (int step = Math.Max(firstStep, live.Start - ShortSpan); step <= live.End; step++)
                if (shortByStart[step - firstStep] is { } starting)
                    conflicts.AddRange(starting.Where(p => p.Live.Intersects(live)));
            long bestOffset = -1, bestGap = long.MaxValue, top = 0;
            foreach (var c in conflicts.OrderBy(p => p.Offset))
            {
                // top = highest end so far; conflicts may nest or overlap each other (they need not be live together).
                long gap = c.Offset - top;
                if (gap >= r.Size && gap < bestGap) (bestOffset, bestGap) = (top, gap);
                top = Math.Max(top, c.Offset + c.Size);
            }
            long offset = bestOffset >= 0 ? bestOffset : top;
            offsets[r.Storage] = offset;
            var placed = new Placed(offset, r.Size, live);
            if (live.End - live.Start > ShortSpan) longLived.Add(placed);
            else (shortByStart[live.Start - firstStep] ??= []).Add(placed);
            arena = Math.Max(arena, offset + r.Size);
        }
        return (offsets, MemoryPlan.Align(arena));
    }

    private readonly record struct Placed(long Offset, long Size, LiveInterval Live);

    private sealed record Region(LiveStorage Storage, long Size);
}
