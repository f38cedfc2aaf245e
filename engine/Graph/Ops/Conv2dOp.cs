namespace GpuMobileNet.Graph.Ops;

/// <summary>2-D convolution, NCHW. Weights are OIHW: [OutC, InC/Groups, KernelH, KernelW].
/// Groups == InC == OutC is a depthwise convolution. Output = Act(conv + Bias + Residual).</summary>
public sealed record Conv2dOp(
    string Name, Value Input, Value Output,
    int KernelH, int KernelW, int StrideH, int StrideW, Padding Pad, int Groups,
    float[] Weights, float[]? Bias,
    Activation Activation = Activation.None,
    Value? Residual = null) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Residual is null ? [Input] : [Input, Residual];
    /// <inheritdoc/>
    public override string OpType => "Conv2d";

    /// <summary>Input channels.</summary>
    public int InC => Input.Shape.C;
    /// <summary>Output channels.</summary>
    public int OutC => Output.Shape.C;
    /// <summary>One group per channel, as many outputs as inputs.</summary>
    public bool IsDepthwise => Groups > 1 && Groups == InC && Groups == OutC;
    /// <summary>A 1x1, stride 1, unpadded, ungrouped convolution.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && Pad.IsZero && Groups == 1;

    /// <summary>Output spatial size for an input of inH x inW (floor rule, explicit padding).</summary>
    public static (int H, int W) OutputSize(int inH, int inW, int kH, int kW, int sH, int sW, Padding pad) =>
        ((inH + pad.Top + pad.Bottom - kH) / sH + 1, (inW + pad.Left + pad.Right - kW) / sW + 1);
}
