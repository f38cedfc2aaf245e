using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>A tensor flowing between ops. Identity is by reference; <see cref="Name"/> is for messages and reports.</summary>
public sealed class Value(string name, TensorShape shape)
{
    public string Name { get; } = name;
    public TensorShape Shape { get; } = shape;
    public override string ToString() => $"{Name} ({Shape})";
}
