namespace GpuMobileNet.Graph.Ops;

/// <summary>Fully connected layer on a flattened input: Weights are [Out, In] row-major, y = Act(W x + Bias).</summary>
public sealed record DenseOp(string Name, Value Input, Value Output, float[] Weights, float[]? Bias,
    Activation Activation = Activation.None) : Node(Name, Output)
{
    public override IReadOnlyList<Value> Inputs => [Input];
    public override string OpType => "Dense";
    public int InFeatures => Input.Shape.Elements;
    public int OutFeatures => Output.Shape.C;
}
