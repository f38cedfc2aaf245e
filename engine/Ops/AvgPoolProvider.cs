using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>Average pooling (shaders/avg_pool.comp), padding excluded from the average. Reads NCHW or NC4HW4 (IN_PACKED)
/// and writes NCHW or, where the output has a plane, NC4HW4 (OUT_PACKED); writes straight into a concatenation's channels.</summary>
internal sealed class AvgPoolProvider : OpProvider<AvgPoolOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } = [AvgPoolKernel.Id];

    /// <inheritdoc/>
    public override TensorShape OutputShape(AvgPoolOp p) => PoolShape(p, p.Input, p.KernelH, p.KernelW, p.StrideH, p.StrideW, p.Pad);

    /// <summary>The output of a pooling window over <paramref name="input"/> (floor rule, explicit padding).</summary>
    internal static TensorShape PoolShape(Node op, Value input, int kernelH, int kernelW, int strideH, int strideW, Padding pad)
    {
        var (h, w) = Conv2dOp.OutputSize(input.Shape.H, input.Shape.W, kernelH, kernelW, strideH, strideW, pad);
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || h <= 0 || w <= 0)
            throw new InvalidGraphException($"{op}: pool {kernelH}x{kernelW} stride {strideH}x{strideW} does not fit input {input.Shape}");
        return new TensorShape(input.Shape.C, h, w);
    }

    /// <inheritdoc/>
    public override float[] Reference(AvgPoolOp p, IReadOnlyDictionary<Value, float[]> values, int batch) => PoolReference.AvgPool(p, values[p.Input], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(AvgPoolOp p, KernelContext ctx, KernelChoice choice) => [AvgPoolKernel.Plan(p, ctx)];

    /// <summary>Any input layout it reads with an NCHW output (or one that is the same bytes in both layouts), or
    /// NC4HW4 throughout where it writes packed.</summary>
    public override bool SupportsLayouts(AvgPoolOp p) =>
        (p.Output.Layout == TensorLayout.Nchw || KernelCapabilities.SameInBothLayouts(p.Output)) &&
        (p.Input.Layout == TensorLayout.Nchw || KernelCapabilities.PoolReadsPacked(p)) ||
        p.Input.Layout == TensorLayout.Nc4hw4 && p.Output.Layout == TensorLayout.Nc4hw4 && KernelCapabilities.PoolWritesPacked(p);

    /// <summary>Reads a packed input (avg_pool's IN_PACKED) and writes packed too where <see cref="WritesPacked"/>,
    /// NCHW otherwise.</summary>
    public override AvgPoolOp? WithPackedTensors(AvgPoolOp p, IChannelPacking packing)
    {
        if (!packing.IsPacked(p.Input) || !KernelCapabilities.PoolReadsPacked(p)) return null;
        return WritesPacked(p, packing.Graph)
            ? p with { Input = packing.Packed(p.Input), Output = packing.ProducedPacked(p.Output) }
            : p with { Input = packing.Packed(p.Input) };
    }

    /// <summary>Whether average pooling of a packed input writes its output packed: where the output has a plane (see
    /// <see cref="KernelCapabilities.PoolWritesPacked"/>), or where it is a global pool's C x 1 x 1, the same bytes in
    /// both layouts, and only packed convolutions read it (a squeeze-and-excite), so no conversion runs before them.</summary>
    private static bool WritesPacked(AvgPoolOp p, ModelGraph g) =>
        KernelCapabilities.PoolWritesPacked(p) ||
        KernelCapabilities.SameInBothLayouts(p.Output) && p.Output != g.Output &&
        g.Consumers(p.Output).All(n => n is Conv2dOp consumer && KernelCapabilities.RunsPacked(consumer));

    /// <inheritdoc/>
    public override bool WritesIntoConcat(AvgPoolOp p) => p.Output.Layout == TensorLayout.Nc4hw4
        ? p.Input.Layout == TensorLayout.Nc4hw4 && KernelCapabilities.PoolWritesPacked(p)
        : p.Input.Layout == TensorLayout.Nchw || KernelCapabilities.PoolReadsPacked(p);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> PlanIntoConcat(AvgPoolOp p, KernelContext ctx, ConcatTarget target) =>
        target.Retarget(AvgPoolKernel.Plan(p, ctx, target.Write.Output), AvgPoolKernel.Id, c => c with { OutStrideC = target.Buffer.C });

    /// <summary>The average of non-negative values (the shortcut of ShuffleNetV1's stride-2 unit).</summary>
    public override bool NonNegative(AvgPoolOp p, Func<Value, bool> isNonNegative) => isNonNegative(p.Input);

    /// <summary>GlobalAveragePool where the window is the whole unpadded input, else AveragePool without the padding in
    /// the count (Keras semantics).</summary>
    public override void Export(AvgPoolOp pool, OnnxGraphWriter w)
    {
        string input = w.Tensor(pool.Input, 4), output = w.Define(pool.Output, 4);
        // With padding, a whole-input window no longer covers exactly the input, so only the unpadded case is global.
        if (pool.IsGlobal && pool.Pad.IsZero)
        {
            w.AddNode("GlobalAveragePool", pool.Name, [input], output);
            return;
        }
        w.AddNode("AveragePool", pool.Name, [input], output,
            Attr.Ints("kernel_shape", pool.KernelH, pool.KernelW),
            Attr.Ints("strides", pool.StrideH, pool.StrideW),
            Attr.Ints("pads", Attr.Pads(pool.Pad)),
            Attr.Int("count_include_pad", 0));
    }
}
