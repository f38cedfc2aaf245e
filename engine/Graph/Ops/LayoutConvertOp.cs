namespace GpuMobileNet.Graph.Ops;

/// <summary>Copies a tensor into another memory layout (<see cref="TensorLayout"/>): from Input.Layout to
/// Output.Layout, same shape and values. Inserted by the channel-packing pass where packed and planar ops meet.
/// Unpacking a value padded to whole channel quads (<see cref="DropsPadding"/>) keeps its first Output.Shape.C channels.</summary>
internal sealed record LayoutConvertOp(string Name, Value Input, Value Output) : Node(Name, Output)
{
    public override IReadOnlyList<Value> Inputs => [Input];

    /// <summary>Whether this unpacks a packed value padded to whole quads into its planar form of 1 to 3 fewer channels.</summary>
    public bool DropsPadding => Input.Layout == TensorLayout.Nc4hw4 && Output.Layout == TensorLayout.Nchw &&
        Output.Shape.C % 4 != 0 && Input.Shape == Output.Shape with { C = (Output.Shape.C + 3) / 4 * 4 };
    public override string OpType => "LayoutConvert";
}
