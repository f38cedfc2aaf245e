using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Element-wise equality as 0 / 1 floats (shaders/equal.comp), as detection heads keep a score map's local maxima.</summary>
internal sealed class EqualProvider : OpProvider<EqualOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [EqualKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "not mapped yet (ONNX Equal gives booleans: it would be Equal then Cast to float); only the ONNX importer makes it";

    /// <inheritdoc/>
    public override TensorShape OutputShape(EqualOp e)
    {
        Require(e, e.A.Shape == e.B.Shape, $"input shapes differ: '{e.A.Name}' is {e.A.Shape}, '{e.B.Name}' is {e.B.Shape}");
        return e.A.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(EqualOp e, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.Equal(values[e.A], values[e.B]);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(EqualOp e, KernelContext ctx, KernelChoice choice) => [EqualKernel.Plan(e, ctx)];
}
