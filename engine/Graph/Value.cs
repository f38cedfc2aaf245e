using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>A tensor flowing between ops. Identity is by reference; <see cref="Name"/> is for messages and reports.
/// <see cref="Layout"/> is how the GPU stores it (set by the channel-packing pass); imported graphs are all NCHW.</summary>
public sealed class Value(string name, TensorShape shape, TensorLayout layout = TensorLayout.Nchw)
{
    public string Name { get; } = name;
    public TensorShape Shape { get; } = shape;
    public TensorLayout Layout { get; } = layout;
    public override string ToString() => Layout == TensorLayout.Nchw ? $"{Name} ({Shape})" : $"{Name} ({Shape}, {Layout})";
}
