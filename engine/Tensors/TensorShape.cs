namespace GpuMobileNet.Tensors;

/// <summary>Shape of one sample of an activation, NCHW order without the batch dimension.
/// The batch size is chosen per session, so graphs store per-sample shapes only.
/// Thread-safety: an immutable value.</summary>
public readonly record struct TensorShape(int C, int H, int W)
{
    /// <summary>C x H x W.</summary>
    public int Elements => checked(C * H * W);
    /// <inheritdoc/>
    public override string ToString() => $"{C}x{H}x{W}";
}
