namespace GpuMobileNet.Graph;

/// <summary>One op of a graph. Nodes are immutable records: passes build new nodes with <c>with</c>.</summary>
internal abstract record Node(string Name, Value Output)
{
    /// <summary>Values read by this op, in a fixed order (data input first).</summary>
    public abstract IReadOnlyList<Value> Inputs { get; }

    /// <summary>Short op name used in reports and errors (e.g. "Conv2d").</summary>
    public abstract string OpType { get; }

    /// <inheritdoc/>
    public sealed override string ToString() => $"{OpType} '{Name}'";
}
