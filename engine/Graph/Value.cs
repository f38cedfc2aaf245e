using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>A tensor flowing between ops. Identity is by reference; <see cref="Name"/> is for messages and reports.
/// <see cref="Layout"/> is how the GPU stores it (set by the channel-packing pass); imported graphs are all NCHW.
/// Thread-safety: immutable; safe to share between threads.</summary>
public sealed class Value
{
    internal Value(string name, TensorShape shape, TensorLayout layout = TensorLayout.Nchw)
    {
        Name = name;
        Shape = shape;
        Layout = layout;
    }

    /// <summary>The tensor's name (unique in its graph).</summary>
    public string Name { get; }
    /// <summary>Per-sample shape (C x H x W).</summary>
    public TensorShape Shape { get; }
    /// <summary>Memory layout chosen for the device (NCHW, or channel-packed after the passes).</summary>
    internal TensorLayout Layout { get; }
    /// <inheritdoc/>
    public override string ToString() => Layout == TensorLayout.Nchw ? $"{Name} ({Shape})" : $"{Name} ({Shape}, {Layout})";
}
