using GpuMobileNet.Graph;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

public class LivenessTests
{
    // input(2x4x4) → conv a(4x4x4) → relu r → flatten f → dense d (output); plus conv "dead" from a, never read.
    private static (ModelGraph G, Value A, Value Dead, Value R, Value F, Value D) Graph()
    {
        var b = new GraphBuilder("live", new TensorShape(2, 4, 4));
        var a = b.Conv2d("a", b.Input, 4, 1, 1, Padding.Zero, 1, new float[8]);
        var dead = b.Conv2d("dead", a, 1, 1, 1, Padding.Zero, 1, new float[4]);
        var r = b.Activate("r", a, Activation.Relu);
        var f = b.Flatten("f", r);
        var d = b.Dense("d", f, 3, new float[3 * 64]);
        return (b.Build(d), a, dead, r, f, d);
    }

    [Test]
    public void IntervalsRunFromDefinitionToLastRead()
    {
        var (g, a, dead, r, f, d) = Graph();
        var l = Liveness.Compute(g);

        Assert.That(l.IntervalOf(g.Input), Is.EqualTo(new LiveInterval(-1, 5)), "graph input pinned for the whole run");
        Assert.That(l.IntervalOf(a), Is.EqualTo(new LiveInterval(0, 2)));
        Assert.That(l.IntervalOf(dead), Is.EqualTo(new LiveInterval(1, 1)), "written, never read");
        Assert.That(l.IntervalOf(r), Is.EqualTo(new LiveInterval(2, 3)));
        Assert.That(l.IntervalOf(f), Is.EqualTo(new LiveInterval(3, 4)));
        Assert.That(l.IntervalOf(d), Is.EqualTo(new LiveInterval(4, 5)), "graph output lives to the end");
    }

    [Test]
    public void FlattenIsTheSameStorageAndExtendsIt()
    {
        var (g, a, _, r, f, _) = Graph();
        var l = Liveness.Compute(g);

        Assert.That(l.StorageOf(f), Is.SameAs(l.StorageOf(r)));
        Assert.That(l.StorageOf(r).Interval, Is.EqualTo(new LiveInterval(2, 4)));
        Assert.That(l.StorageOf(r), Is.Not.SameAs(l.StorageOf(a)), "no in-place without a policy");
        Assert.That(l.Storages, Has.Count.EqualTo(g.Nodes.Count)); // input + 5 nodes - 1 alias
    }

    [Test]
    public void InPlaceJoinsTheInputStorage()
    {
        var (g, a, _, r, f, _) = Graph();
        var l = Liveness.Compute(g, InPlacePolicy.Default);

        Assert.That(l.StorageOf(r), Is.SameAs(l.StorageOf(a)));
        Assert.That(l.StorageOf(a).Values, Is.EqualTo(new[] { a, r, f }));
        Assert.That(l.StorageOf(a).Interval, Is.EqualTo(new LiveInterval(0, 4)));
        Assert.That(l.IsInPlace(g.Nodes[2]), Is.True);
        Assert.That(l.IsInPlace(g.Nodes[3]), Is.False, "Flatten is an alias, not in place");
    }

    [Test]
    public void PeakIsTheLargestSumOfStoragesLiveAtOneStep()
    {
        var (g, _, _, _, _, _) = Graph();
        var l = Liveness.Compute(g, InPlacePolicy.Default);
        // Aligned to 16: input 32, a/r/f 64, dead 16, d 16. Step 1: input + a + dead = 112.
        Assert.That(l.LiveElementsAt(1, 1), Is.EqualTo(112));
        Assert.That(l.LiveElementsAt(4, 1), Is.EqualTo(32 + 64 + 16));
        Assert.That(l.PeakElements(1), Is.EqualTo(112));
        Assert.That(l.PeakElements(3), Is.EqualTo(96 + 192 + 48), "batch 3, step 1 again: the 4x4x4 storage outweighs the output");
    }

    [Test]
    public void ScratchIsLiveAtItsNodeOnlyAndNeverOverlapsWhatIsLiveThere()
    {
        var (g, a, _, r, _, d) = Graph();
        long Scratch(Node n) => n.Name is "a" or "r" ? 100 : 0;
        var l = Liveness.Compute(g, InPlacePolicy.Default, Scratch);
        var scratchA = l.ScratchOf(g.Nodes[0])!;
        Assert.That(l.ScratchOf(g.Nodes[1]), Is.Null, "no scratch asked");
        Assert.That(l.StorageOf(scratchA).Interval, Is.EqualTo(new LiveInterval(0, 0)));
        Assert.That(scratchA.Shape.Elements, Is.EqualTo(100));

        foreach (var plan in new[] { ReusePlanner.Plan(g, 3, InPlacePolicy.Default, Scratch), NaivePlanner.Plan(g, 3, Scratch) })
            for (int step = 0; step < g.Nodes.Count; step++)
                if (plan.Liveness!.ScratchOf(g.Nodes[step]) is { } scratch)
                {
                    long from = plan.OffsetOf(scratch), to = from + 100 * 3;
                    foreach (var v in plan.Liveness.LiveAt(step).SelectMany(s => s.Values).Where(v => v != scratch).Distinct())
                    {
                        long vFrom = plan.OffsetOf(v), vTo = vFrom + (long)v.Shape.Elements * 3;
                        Assert.That(vTo <= from || to <= vFrom, $"{scratch.Name} [{from}, {to}) overlaps {v.Name} [{vFrom}, {vTo})");
                    }
                    Assert.That(plan.ScratchOf(g.Nodes[step]), Is.SameAs(scratch));
                }
    }
}
