namespace GpuMobileNet.Graph.Ops;

/// <summary>Fully connected layer on a flattened input: Weights are [Out, In] row-major, y = Act(W x + Bias).</summary>
internal sealed record DenseOp(string Name, Value Input, Value Output, float[] Weights, float[]? Bias,
    Activation Activation = Activation.None) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Dense";
    /// <summary>Input features (C x H x W of the input).</summary>
    public int InFeatures => Input.Shape.Elements;
    /// <summary>Output features.</summary>
    public int OutFeatures => Output.Shape.C;
}
