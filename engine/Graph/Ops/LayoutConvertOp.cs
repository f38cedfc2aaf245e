namespace GpuMobileNet.Graph.Ops;

/// <summary>Copies a tensor into another memory layout (<see cref="TensorLayout"/>): from Input.Layout to
/// Output.Layout, same shape and values. Inserted by the channel-packing pass where packed and planar ops meet.</summary>
internal sealed record LayoutConvertOp(string Name, Value Input, Value Output) : Node(Name, Output)
{
    public override IReadOnlyList<Value> Inputs => [Input];
    public override string OpType => "LayoutConvert";
}
