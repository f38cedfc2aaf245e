using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Transposed 2-D convolution, ONNX ConvTranspose: an implicit GEMM by output phase
/// (shaders/conv_transpose_packed.comp) on packed or planar tensors; the scalar gather (shaders/conv_transpose.comp)
/// only where asked for (<see cref="KernelChoice.FastConv"/> off), for a planar layer of one output channel per group
/// (the GEMM would pad each to a quad) or where the texel views do not reach.</summary>
internal sealed class ConvTransposeProvider : OpProvider<ConvTransposeOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [ConvTransposePackedKernel.Id, ConvTransposeKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "not mapped yet (ONNX ConvTranspose with the import's pads and output size); only the ONNX importer makes it";

    /// <summary>Output channels from the weights ([InC, OutC / Groups, KernelH, KernelW]); the size is given (it already
    /// includes output_padding or output_shape).</summary>
    public override TensorShape OutputShape(ConvTransposeOp t)
    {
        long perGroupOut = (long)t.Input.Shape.C * t.KernelH * t.KernelW;
        Require(t, t.Groups > 0 && t.Input.Shape.C % t.Groups == 0 && perGroupOut > 0 && t.Weights.Length % perGroupOut == 0,
            $"{t.Weights.Length} weights are not whole {t.KernelH}x{t.KernelW} filters of its {t.Input.Shape.C} input channels in {t.Groups} groups");
        int outC = (int)(t.Weights.Length / perGroupOut) * t.Groups;
        Require(t, t.Bias is null || t.Bias.Length == outC, $"its bias has {t.Bias?.Length} values for {outC} output channels");
        return new TensorShape(outC, t.Output.Shape.H, t.Output.Shape.W);
    }

    /// <inheritdoc/>
    public override float[] Reference(ConvTransposeOp t, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var sums = ConvTransposeReference.Run(t, values[t.Input], batch);
        return t.Activation == Activation.None ? sums : ElementwiseReference.Activate(sums, t.Activation);
    }

    /// <summary>Both kernels apply an activation as they store (the PP-OCR head's ReLU and sigmoid after its folded BatchNorms).</summary>
    public override bool TakesActivation(ConvTransposeOp t) => t.Activation == Activation.None;

    /// <inheritdoc/>
    public override ConvTransposeOp WithActivation(ConvTransposeOp t, Activation activation, Value output) =>
        t with { Activation = activation, Output = output };

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(ConvTransposeOp t, KernelContext ctx, KernelChoice choice)
    {
        bool planar = t.Input.Layout == TensorLayout.Nchw && t.Output.Layout == TensorLayout.Nchw;
        if (planar && (!choice.FastConv || ConvTransposePackedKernel.IsChannelwise(t) || !ctx.TexelsReach(t.Input)))
            return [ConvTransposeKernel.Plan(t, ctx)];
        return [ConvTransposePackedKernel.Plan(t, ctx)];
    }

    /// <summary>Planar (either kernel), or packed where each group's channel counts are whole quads.</summary>
    public override bool SupportsLayouts(ConvTransposeOp t) =>
        t.Input.Layout == TensorLayout.Nchw && t.Output.Layout == TensorLayout.Nchw || ConvTransposePackedKernel.Handles(t);

    /// <summary>Packed in and out where each group's channel counts are whole quads (the PP-OCR head, mobilenet_yolo's
    /// grouped upsampling), as a packed convolution; packed in, planar out where only the input's are and it exists
    /// packed (the PP-OCR head's last, to 1 channel); otherwise planar.</summary>
    public override ConvTransposeOp? WithPackedTensors(ConvTransposeOp t, IChannelPacking packing)
    {
        if (!ConvTransposePackedKernel.ReadsPacked(t)) return null;
        if (ConvTransposePackedKernel.WritesPacked(t)) return t with { Input = packing.Packed(t.Input), Output = packing.ProducedPacked(t.Output) };
        return packing.IsPacked(t.Input) ? t with { Input = packing.Packed(t.Input) } : null;
    }

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(ConvTransposeOp t) => WeightsAndBias(t.Weights, t.Bias);

    /// <inheritdoc/>
    public override long Params(ConvTransposeOp t) => (long)t.Weights.Length + (t.Bias?.Length ?? 0);

    /// <inheritdoc/>
    public override long MultiplyAdds(ConvTransposeOp t) => (long)t.Input.Shape.Elements * (t.Output.Shape.C / t.Groups) * t.KernelH * t.KernelW;
}
