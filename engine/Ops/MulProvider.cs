using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Element-wise or per-channel product (shaders/mul.comp). Packed where A is; a per-channel gate (C x 1 x 1)
/// has the same memory order in both layouts, so it may stay planar.</summary>
internal sealed class MulProvider : OpProvider<MulOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [MulKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(MulOp m)
    {
        Require(m, m.B.Shape == m.A.Shape || m.B.Shape == new TensorShape(m.A.Shape.C, 1, 1),
            $"'{m.B.Name}' ({m.B.Shape}) is neither the shape of '{m.A.Name}' ({m.A.Shape}) nor one value per channel");
        return m.A.Shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(MulOp m, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.Mul(m, values[m.A], values[m.B], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(MulOp m, KernelContext ctx, KernelChoice choice) => [MulKernel.Plan(m, ctx)];

    /// <inheritdoc/>
    public override bool SupportsLayouts(MulOp m) => m.A.Layout == m.Output.Layout && (m.IsChannelBroadcast || m.B.Layout == m.A.Layout);

    /// <inheritdoc/>
    /// <remarks>A per-channel gate (C x 1 x 1) has the same memory order in both layouts: either form will do.</remarks>
    public override MulOp? WithPackedTensors(MulOp m, IChannelPacking packing) =>
        packing.IsPacked(m.A) && (m.IsChannelBroadcast || packing.IsPacked(m.B))
            ? m with
            {
                A = packing.Packed(m.A),
                B = packing.IsPacked(m.B) ? packing.Packed(m.B) : m.B,
                Output = packing.ProducedPacked(m.Output),
            }
            : null;

    /// <inheritdoc/>
    public override void Export(MulOp m, OnnxGraphWriter w)
    {
        // A channel gate (C x 1 x 1) broadcasts over H and W as [N, C, 1, 1] against [N, C, H, W]: both rank 4.
        int rank = !m.IsChannelBroadcast && w.RankOf(m.A) == 2 && w.RankOf(m.B) == 2 ? 2 : 4;
        w.AddNode("Mul", m.Name, [w.Tensor(m.A, rank), w.Tensor(m.B, rank)], w.Define(m.Output, rank));
    }
}
