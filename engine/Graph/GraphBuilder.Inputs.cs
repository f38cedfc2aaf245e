namespace GpuMobileNet.Graph;

/// <summary>Run-time inputs besides the builder's main one (multi-input models: two tensors added, concatenated, ...).</summary>
public sealed partial class GraphBuilder
{
    private readonly List<Value> _extraInputs = [];

    /// <summary>The inputs added with <see cref="AddInput"/>, in order; they become <see cref="ModelGraph.ExtraInputs"/>.</summary>
    public IReadOnlyList<Value> ExtraInputs => _extraInputs;

    /// <summary>Adds another run-time input named <paramref name="name"/> of <paramref name="shape"/> (per sample, NCHW).</summary>
    public Value AddInput(string name, Tensors.TensorShape shape)
    {
        var v = NewValue(name, "input", shape);
        _extraInputs.Add(v);
        return v;
    }
}
