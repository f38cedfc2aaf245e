namespace GpuMobileNet.Graph.Ops;

/// <summary>A squeeze-and-excite gate as one op (made by the squeeze-excite fusion pass): global average pool of
/// <see cref="Pool"/>'s input, then <see cref="Squeeze"/> and <see cref="Excite"/>, two 1x1 convolutions of one pixel.
/// Its output is the excite's, C x 1 x 1 per sample; the pooled and squeezed vectors are never written.</summary>
/// <param name="Name">The op's name (the excite convolution's).</param>
/// <param name="Pool">The global average pool (its input is this op's input).</param>
/// <param name="Squeeze">The 1x1 convolution reading the pooled vector.</param>
/// <param name="Excite">The 1x1 convolution reading the squeezed vector; its output is this op's.</param>
internal sealed record SqueezeExciteOp(string Name, AvgPoolOp Pool, Conv2dOp Squeeze, Conv2dOp Excite) : Node(Name, Excite.Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Pool.Input];

    /// <inheritdoc/>
    public override string OpType => "SqueezeExcite";

    /// <summary>The three ops it stands for, in order.</summary>
    public IReadOnlyList<Node> Parts => [Pool, Squeeze, Excite];
}
