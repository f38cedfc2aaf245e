namespace GpuMobileNet.Graph.Ops;

/// <summary>Concatenation along channels. A null part is a block of zeros of <see cref="Channels"/>[i] channels
/// (BlazeFace widens its blocks by concatenating zeros); other parts are values of that many channels and the
/// output's height and width.</summary>
internal sealed record ConcatOp(string Name, IReadOnlyList<Value?> Parts, IReadOnlyList<int> Channels, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Parts.Where(p => p is not null).Select(p => p!).ToList();
    /// <inheritdoc/>
    public override string OpType => "Concat";
}
