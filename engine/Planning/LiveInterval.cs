namespace GpuMobileNet.Planning;

/// <summary>The steps during which a tensor must keep its contents, both ends inclusive. Step i is the i-th node
/// of the graph; step -1 is "before the first node" (the graph input is written there) and step
/// <c>Nodes.Count</c> is "after the last node" (the graph output is read there).</summary>
internal readonly record struct LiveInterval(int Start, int End)
{
    public bool Contains(int step) => Start <= step && step <= End;

    /// <summary>Inclusive on both ends: a value read at step i and a value written at step i are both live at i,
    /// because the node reads one while it writes the other.</summary>
    public bool Intersects(LiveInterval other) => Start <= other.End && other.Start <= End;

    public override string ToString() => $"[{Start}, {End}]";
}
