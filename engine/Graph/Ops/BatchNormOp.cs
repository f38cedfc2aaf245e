namespace GpuMobileNet.Graph.Ops;

/// <summary>Inference batch normalisation per channel: y = Gamma * (x - Mean) / sqrt(Variance + Epsilon) + Beta.</summary>
internal sealed record BatchNormOp(
    string Name, Value Input, Value Output,
    float[] Gamma, float[] Beta, float[] Mean, float[] Variance, float Epsilon) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "BatchNorm";
}
