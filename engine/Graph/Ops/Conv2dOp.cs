namespace GpuMobileNet.Graph.Ops;

/// <summary>2-D convolution, NCHW. Weights are OIHW: [OutC, InC/Groups, KernelH, KernelW].
/// Groups == InC == OutC is a depthwise convolution. Output = Act(conv + Bias + Residual); a residual of fewer channels
/// than the output (same plane) adds zero to the channels past its own (see Passes/FoldResidualChannelPad). Dilation spaces the taps
/// (tap ky reads input row oy x StrideH - Pad.Top + ky x DilationH); the direct kernels (plain, tiled, channel-packed)
/// and the simple depthwise kernel take it, so the passes leave dilated depthwise convolutions unpacked and unfused.</summary>
internal sealed record Conv2dOp(
    string Name, Value Input, Value Output,
    int KernelH, int KernelW, int StrideH, int StrideW, Padding Pad, int Groups,
    float[] Weights, float[]? Bias,
    Activation Activation = Activation.None,
    Value? Residual = null,
    int DilationH = 1, int DilationW = 1) : Node(Name, Output)
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
    /// <summary>Whether the residual has fewer channels than the output (the rest add zero).</summary>
    public bool HasNarrowResidual => Residual is not null && Residual.Shape.C < Output.Shape.C;

    /// <summary>Whether the taps are spaced out (a 1x1 kernel's dilation changes nothing).</summary>
    public bool IsDilated => KernelH > 1 && DilationH != 1 || KernelW > 1 && DilationW != 1;

    /// <summary>A 1x1, stride 1, unpadded, ungrouped convolution.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && Pad.IsZero && Groups == 1;

    /// <summary>Output spatial size for an input of inH x inW (floor rule, explicit padding).</summary>
    public static (int H, int W) OutputSize(int inH, int inW, int kH, int kW, int sH, int sW, Padding pad) =>
        ((inH + pad.Top + pad.Bottom - kH) / sH + 1, (inW + pad.Left + pad.Right - kW) / sW + 1);

    /// <summary>Output size with dilated taps: the kernel spans (k - 1) x dilation + 1 input pixels.</summary>
    public static (int H, int W) OutputSize(int inH, int inW, int kH, int kW, int sH, int sW, Padding pad, int dH, int dW) =>
        OutputSize(inH, inW, (kH - 1) * dH + 1, (kW - 1) * dW + 1, sH, sW, pad);
}
