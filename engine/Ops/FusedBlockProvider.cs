using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Expand → depthwise → project as one dispatch (shaders/fused_block.comp), made by the dw+pw and
/// inverted-residual fusion passes where <see cref="KernelCapabilities.CanFuseBlock"/> says the kernel runs the parts.</summary>
internal sealed class FusedBlockProvider : OpProvider<FusedBlockOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [FusedBlockKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(FusedBlockOp f) => OpRegistry.OutputShape(f.Project);

    /// <summary>A fused block is its parts run one after the other: the oracle does not fuse.</summary>
    public override float[] Reference(FusedBlockOp f, IReadOnlyDictionary<Value, float[]> values, int batch)
    {
        var input = values[f.Input];
        var x = f.Expand is null ? input : ConvReference.Run(f.Expand, input, null, batch);
        x = ConvReference.Run(f.Depthwise, x, null, batch);
        return ConvReference.Run(f.Project, x, f.Project.Residual is null ? null : values[f.Project.Residual], batch);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(FusedBlockOp f, KernelContext ctx, KernelChoice choice) => FusedBlockKernel.Plan(f, ctx);

    /// <summary>ONNX has no fused block: its parts.</summary>
    public override void Export(FusedBlockOp f, OnnxGraphWriter w)
    {
        foreach (var part in f.Parts) OpRegistry.Export(part, w);
    }

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(FusedBlockOp f) => f.Parts.SelectMany(PartConstants);

    /// <inheritdoc/>
    public override long Params(FusedBlockOp f) => f.Parts.Sum(OpRegistry.Params);

    /// <inheritdoc/>
    public override long MultiplyAdds(FusedBlockOp f) => f.Parts.Sum(OpRegistry.MultiplyAdds);
}
