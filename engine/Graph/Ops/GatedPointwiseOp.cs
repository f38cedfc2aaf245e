namespace GpuMobileNet.Graph.Ops;

/// <summary>A pointwise convolution whose input is scaled per channel by <see cref="Gate"/> (C x 1 x 1 per sample)
/// as it is read: a squeeze-and-excite product folded into the 1x1 convolution after it, so the scaled tensor is
/// never written. <see cref="Conv"/> reads the unscaled tensor; its output is this op's.</summary>
/// <param name="Name">The convolution's name.</param>
/// <param name="Conv">The pointwise convolution, with the unscaled tensor as its input.</param>
/// <param name="Gate">One factor per input channel and sample.</param>
/// <param name="GateActivation">Applied to the scaled input before the convolution reads it (an activation between the
/// product and the convolution).</param>
internal sealed record GatedPointwiseOp(string Name, Conv2dOp Conv, Value Gate, Activation GateActivation = Activation.None) : Node(Name, Conv.Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [.. Conv.Inputs, Gate];

    /// <inheritdoc/>
    public override string OpType => "GatedPointwise";
}
