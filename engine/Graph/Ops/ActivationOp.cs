namespace GpuMobileNet.Graph.Ops;

/// <summary>A standalone element-wise activation (fused into its producer by the activation-fusion pass).</summary>
public sealed record ActivationOp(string Name, Value Input, Value Output, Activation Activation) : Node(Name, Output)
{
    public override IReadOnlyList<Value> Inputs => [Input];
    public override string OpType => "Activation";
}
