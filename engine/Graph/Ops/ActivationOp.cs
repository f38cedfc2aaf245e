namespace GpuMobileNet.Graph.Ops;

/// <summary>A standalone element-wise activation (fused into its producer by the activation-fusion pass).</summary>
internal sealed record ActivationOp(string Name, Value Input, Value Output, Activation Activation) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Activation";
}
