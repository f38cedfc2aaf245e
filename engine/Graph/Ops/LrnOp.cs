namespace GpuMobileNet.Graph.Ops;

/// <summary>Local response normalisation across channels (AlexNet, GoogLeNet): y = x * (Bias + Alpha / Size * sum of
/// x² over the <see cref="Size"/> channels centred on x's, clipped at the edges)^-Beta. Size is odd.</summary>
internal sealed record LrnOp(string Name, Value Input, Value Output, int Size, float Alpha, float Beta, float Bias) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "LRN";
}
