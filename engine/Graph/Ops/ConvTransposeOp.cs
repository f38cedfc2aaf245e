namespace GpuMobileNet.Graph.Ops;

/// <summary>Transposed 2-D convolution (ONNX ConvTranspose), NCHW. Weights are ONNX's [InC, OutC/Groups, KernelH, KernelW].
/// Input pixel (iy, ix) adds its weighted taps to output (iy x StrideH - PadTop + ky x DilationH, ...); the output size is
/// given (it already includes output_padding or output_shape), and PadTop / PadLeft may be negative (output_shape larger
/// than the taps reach). Output = Activation(conv + Bias).</summary>
internal sealed record ConvTransposeOp(
    string Name, Value Input, Value Output,
    int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft, int Groups,
    float[] Weights, float[]? Bias, Activation Activation = Activation.None) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];

    /// <inheritdoc/>
    public override string OpType => "ConvTranspose";

    /// <summary>Output size along one axis by ONNX's rule: stride (in - 1) + output_padding + the dilated kernel - both pads.</summary>
    public static long OutputSize(int input, int kernel, int stride, int dilation, int padBegin, int padEnd, int outputPadding) =>
        (long)stride * (input - 1) + outputPadding + (long)(kernel - 1) * dilation + 1 - padBegin - padEnd;
}
