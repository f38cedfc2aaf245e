using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Planning;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

/// <summary>On random DAGs, checks the plan against liveness worked out here from the graph alone (not from
/// <see cref="Liveness"/>): two values live at the same step never share a byte unless one is the other's memory
/// by design (a Flatten alias, or an in-place output written over an input read for the last time by that op).</summary>
public class ReusePlannerPropertyTests
{
    private static readonly Func<Node, Value?>[] Policies = [InPlacePolicy.Default, InPlacePolicy.None];

    [Test]
    public void ValuesLiveAtTheSameTimeNeverOverlap()
    {
        int inPlaceNodes = 0, reusedPairs = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var g = RandomGraphs.Create(seed);
            int batch = 1 + seed % 3;
            foreach (var policy in Policies)
            {
                var plan = ReusePlanner.Plan(g, batch, policy);
                reusedPairs += CheckPlan(g, plan, policy, $"seed {seed} ({g.Nodes.Count} nodes, batch {batch}, {policy.Method.Name})");
                inPlaceNodes += g.Nodes.Count(n => plan.Liveness!.IsInPlace(n));
            }
        }
        TestContext.Out.WriteLine($"{inPlaceNodes} nodes planned in place, {reusedPairs} pairs of values sharing memory at different times");
        // Without these the property would hold vacuously.
        Assert.That(inPlaceNodes, Is.GreaterThan(50));
        Assert.That(reusedPairs, Is.GreaterThan(200));
    }

    /// <summary>Returns how many pairs of values with disjoint lives overlap in memory (reuse that happened).</summary>
    private static int CheckPlan(ModelGraph g, MemoryPlan plan, Func<Node, Value?> policy, string what)
    {
        int end = g.Nodes.Count;
        var def = new Dictionary<Value, int> { [g.Input] = -1 };
        var last = new Dictionary<Value, int>();
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            def[g.Nodes[i].Output] = i;
            last[g.Nodes[i].Output] = i;
            foreach (var v in g.Nodes[i].Inputs) last[v] = Math.Max(last.GetValueOrDefault(v, -1), i);
        }
        last[g.Output] = end;
        last[g.Input] = end; // the graph input is never overwritten, so it counts as live for the whole run

        // Pairs allowed to be the same memory, and then only as exactly the same range: values linked by a chain of
        // Flattens (aliases), or the input and output of an op whose policy proposed that input and that reads it
        // for the last time (in place).
        var aliasRoot = new Dictionary<Value, Value> { [g.Input] = g.Input };
        var partners = new HashSet<(Value, Value)>();
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            aliasRoot[n.Output] = n is FlattenOp f ? aliasRoot[f.Input] : n.Output;
            if (n is not FlattenOp && policy(n) is { } c && last[c] == i) partners.Add((c, n.Output));
        }

        var values = def.Keys.ToList();
        long Size(Value v) => (long)v.Shape.Elements * plan.Batch;
        foreach (var v in values)
        {
            long o = plan.OffsetOf(v);
            Assert.That(o % MemoryPlan.Alignment, Is.Zero, $"{what}: '{v.Name}' at unaligned offset {o}");
            Assert.That(o, Is.GreaterThanOrEqualTo(0), $"{what}: '{v.Name}'");
            Assert.That(o + Size(v), Is.LessThanOrEqualTo(plan.ArenaElements), $"{what}: '{v.Name}' runs past the arena");
        }

        int reused = 0;
        for (int i = 0; i < values.Count; i++)
            for (int j = i + 1; j < values.Count; j++)
            {
                Value a = values[i], b = values[j];
                long oa = plan.OffsetOf(a), ob = plan.OffsetOf(b);
                bool overlap = oa < ob + Size(b) && ob < oa + Size(a);
                if (!overlap) continue;
                bool together = def[a] <= last[b] && def[b] <= last[a];
                if (!together) { reused++; continue; }
                bool sameByDesign = aliasRoot[a] == aliasRoot[b] || partners.Contains((a, b)) || partners.Contains((b, a));
                bool partnersByDesign = sameByDesign && oa == ob && Size(a) == Size(b);
                Assert.That(partnersByDesign, $"{what}: '{a.Name}' [{def[a]}, {last[a]}] at {oa}+{Size(a)} and '{b.Name}' " +
                    $"[{def[b]}, {last[b]}] at {ob}+{Size(b)} are live together and overlap");
            }

        var report = MemoryReport.Create(g, plan);
        Assert.That(report.PlannedBytes, Is.GreaterThanOrEqualTo(report.TheoreticalMinimumBytes), what);
        Assert.That(report.PlannedBytes, Is.LessThanOrEqualTo(report.NaiveBytes), what);
        return reused;
    }
}
