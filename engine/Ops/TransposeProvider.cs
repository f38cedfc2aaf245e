using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>A permutation of the per-sample axes C, H, W (shaders/transpose.comp), as ONNX Transpose with the batch in place.</summary>
internal sealed class TransposeProvider : OpProvider<TransposeOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [TransposeKernel.Id];

    /// <inheritdoc/>
    public override string NoExportReason => "not mapped yet (it would be ONNX Transpose with perm [0, 1 + Perm]); only the ONNX importer makes it";

    /// <inheritdoc/>
    public override TensorShape OutputShape(TransposeOp t)
    {
        Require(t, t.Perm.Length == 3 && t.Perm.Order().SequenceEqual([0, 1, 2]), $"perm [{string.Join(", ", t.Perm)}] is not a permutation of C, H, W");
        int[] dims = [t.Input.Shape.C, t.Input.Shape.H, t.Input.Shape.W];
        return new TensorShape(dims[t.Perm[0]], dims[t.Perm[1]], dims[t.Perm[2]]);
    }

    /// <inheritdoc/>
    public override float[] Reference(TransposeOp t, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ImportedOpsReference.Transpose(t, values[t.Input], batch);

    /// <inheritdoc/>
    public override bool SupportsLayouts(TransposeOp t) =>
        (t.Output.Layout == TensorLayout.Nchw || t.Output.Shape.C % 4 == 0) && (t.Input.Layout == TensorLayout.Nchw || ReadsPacked(t));

    /// <inheritdoc/>
    /// <remarks>A packed input is read as it is (an SSD head's convolution turned channels-last: no unpacking dispatch
    /// before the transpose); the output is written packed where only packed convolutions read it (an NHWC input turned
    /// into a packed stem's: no packing dispatch after the transpose).</remarks>
    public override TransposeOp? WithPackedTensors(TransposeOp t, IChannelPacking packing)
    {
        bool packedIn = packing.IsPacked(t.Input) && ReadsPacked(t), packedOut = WritesPacked(t, packing.Graph);
        if (!packedIn && !packedOut) return null;
        if (!packedIn) packing.EnsurePlanar(t.Input);
        return t with
        {
            Input = packedIn ? packing.Packed(t.Input) : t.Input,
            Output = packedOut ? packing.ProducedPacked(t.Output) : t.Output,
        };
    }

    /// <summary>The kernel reads NC4HW4 of whole channel quads (no padding to skip).</summary>
    private static bool ReadsPacked(TransposeOp t) => t.Input.Shape.C % 4 == 0;

    /// <summary>Whether the output is written NC4HW4: whole quads, not a graph output, and every reader a convolution
    /// that runs packed (it would pack the output first otherwise).</summary>
    private static bool WritesPacked(TransposeOp t, ModelGraph g) =>
        t.Output.Shape.C % 4 == 0 && !g.Outputs.Contains(t.Output) &&
        g.Consumers(t.Output).All(n => n is Conv2dOp c && KernelCapabilities.RunsPacked(c));

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(TransposeOp t, KernelContext ctx, KernelChoice choice) => [TransposeKernel.Plan(t, ctx)];
}
