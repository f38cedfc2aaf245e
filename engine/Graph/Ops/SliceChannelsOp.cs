namespace GpuMobileNet.Graph.Ops;

/// <summary>Channels First .. First + Output.C - 1 of the input (ONNX Split or Slice on the channel axis).</summary>
internal sealed record SliceChannelsOp(string Name, Value Input, Value Output, int First) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "SliceChannels";
}
