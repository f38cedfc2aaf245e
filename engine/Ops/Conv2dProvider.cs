using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime.Reference;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Ops;

/// <summary>2-D convolution: full, 1x1, depthwise and grouped, planar or channel-packed. Owns the convolution's kernel
/// choice: the layout decides first (packed tensors have their own kernels, their dense GEMMs in shared memory on GPUs:
/// <see cref="KernelChoice.SharedMemoryGemm"/>), then the shape, then the fastest variant the <see cref="KernelChoice"/>
/// allows that fits the device, else the simple kernel of that shape.</summary>
internal sealed class Conv2dProvider : OpProvider<Conv2dOp>
{
    /// <inheritdoc/>
    public override IReadOnlyList<KernelId> Kernels { get; } =
    [
        DenseKernel.Id, PointwiseConvPackedKernel.Id, PointwiseConvPackedKernel.NarrowResidualId, DepthwiseConvPackedKernel.Id, PointwiseConvGroupedPackedKernel.Id,
        WinogradConvKernel.InputId, WinogradConvKernel.OutputId, PadKernel.Id, Conv2dPackedKernel.Id, Conv2dSharedKernel.Id, Conv2dTiledKernel.Id, PointwiseConvGroupedKernel.Id, PointwiseConvSubgroupKernel.Id, PointwiseConvSharedKernel.Id,
        PointwiseConvTiledKernel.Id, PointwiseConvKernel.Id, DepthwiseConvTiledKernel.Id, DepthwiseConvKernel.Id, Conv2dKernel.Id,
    ];

    /// <inheritdoc/>
    public override TensorShape OutputShape(Conv2dOp c)
    {
        Require(c, c.Groups > 0 && c.InC % c.Groups == 0, $"groups {c.Groups} must divide its {c.InC} input channels");
        long perOutput = (long)(c.InC / c.Groups) * c.KernelH * c.KernelW;
        Require(c, perOutput > 0 && c.Weights.Length % perOutput == 0 && c.Weights.Length / perOutput % c.Groups == 0,
            $"{c.Weights.Length} weights are not whole {c.KernelH}x{c.KernelW} filters of {c.InC / c.Groups} channels for {c.Groups} groups");
        int outC = (int)(c.Weights.Length / perOutput);
        Require(c, c.Bias is null || c.Bias.Length == outC, $"its bias has {c.Bias?.Length} values for {outC} output channels");
        var (h, w) = Conv2dOp.OutputSize(c.Input.Shape.H, c.Input.Shape.W, c.KernelH, c.KernelW, c.StrideH, c.StrideW, c.Pad, c.DilationH, c.DilationW);
        var shape = new TensorShape(outC, h, w);
        Require(c, c.Residual is null || c.Residual.Shape == shape ||
            c.Residual.Shape == shape with { C = c.Residual.Shape.C } && c.Residual.Shape.C < outC && KernelCapabilities.RunsOnPackedPointwise(c),
            $"its residual '{c.Residual?.Name}' is {c.Residual?.Shape}, not {shape} (fewer channels only on the packed 1x1 kernels)");
        return shape;
    }

    /// <inheritdoc/>
    public override float[] Reference(Conv2dOp c, IReadOnlyDictionary<Value, float[]> values, int batch) =>
        ConvReference.Run(c, values[c.Input], c.Residual is null ? null : values[c.Residual], batch);

    /// <inheritdoc/>
    public override IReadOnlyList<KernelDispatch> Plan(Conv2dOp c, KernelContext ctx, KernelChoice choice)
    {
        // A 1x1 convolution of one pixel is a matrix-vector product, in either layout.
        if (KernelCapabilities.RunsOnDense(c)) return [DenseKernel.Plan(c, ctx, choice.KeepsInt8Weights(ctx.DeviceKind))];
        // Channel-packed tensors (the channel-packing pass chose them) have their own kernels, whatever the choice.
        if (c.Input.Layout == TensorLayout.Nc4hw4 && c.Output.Layout == TensorLayout.Nc4hw4)
        {
            if (c.IsPointwise)
                return choice.SharedMemoryGemm(ctx.DeviceKind)
                    ? [PointwiseConvSharedKernel.Plan(c, ctx)]
                    : PointwiseConvPackedKernel.Plan(c, ctx, choice.KeepsInt8Weights(ctx.DeviceKind));
            if (c.IsDepthwise) return DepthwiseConvPackedKernel.Plan(c, ctx);
            if (PaddedPointwiseConvKernel.Handles(c) && !choice.SharedMemoryGemm(ctx.DeviceKind))
                return PaddedPointwiseConvKernel.Plan(c, ctx, choice.KeepsInt8Weights(ctx.DeviceKind));
            if (WinogradConvKernel.Handles(c)) return WinogradConvKernel.Plan(c, ctx, choice);
            if (c.Groups > 1 && !Conv2dPackedKernel.Handles(c)) return [PointwiseConvGroupedPackedKernel.Plan(c, ctx)];
        }
        if (c.Input.Layout == TensorLayout.Nc4hw4 || c.Output.Layout == TensorLayout.Nc4hw4)
            return c.Input.Layout == TensorLayout.Nchw && Conv2dTiledKernel.Fits(c, ctx) && KernelCapabilities.WritesPackedFromPlanar(c)
                ? Conv2dTiledKernel.Plan(c, ctx)
                : [Conv2dSharedKernel.PlanDirect(c, ctx, choice)];
        if (PointwiseConvGroupedKernel.Handles(c)) return [PointwiseConvGroupedKernel.Plan(c, ctx)];
        if (c.IsPointwise) return PlanPointwise(c, ctx, choice);
        if (c.IsDepthwise)
            return choice.FastDepthwise && DepthwiseConvTiledKernel.Fits(c, ctx) ? DepthwiseConvTiledKernel.Plan(c, ctx) : [DepthwiseConvKernel.Plan(c, ctx)];
        // A planar full convolution: the simple kernel only where asked for (a baseline), never for want of a window.
        if (!choice.FastConv) return [Conv2dKernel.Plan(c, ctx)];
        return Conv2dTiledKernel.Fits(c, ctx) ? Conv2dTiledKernel.Plan(c, ctx) : [Conv2dSharedKernel.PlanDirect(c, ctx, choice)];
    }

    // A planar 1x1: the variant asked for where it fits, else the tiled one where it fits, else the simple kernel.
    private static IReadOnlyList<KernelDispatch> PlanPointwise(Conv2dOp c, KernelContext ctx, KernelChoice choice)
    {
        if (!choice.FastPointwise) return [PointwiseConvKernel.Plan(c, ctx)];
        if (choice.Pointwise == PointwiseVariant.Subgroup && PointwiseConvSubgroupKernel.Fits(c, ctx)) return PointwiseConvSubgroupKernel.Plan(c, ctx);
        if (choice.Pointwise == PointwiseVariant.SharedMemory && PointwiseConvSharedKernel.Fits(c, ctx)) return [PointwiseConvSharedKernel.Plan(c, ctx)];
        return PointwiseConvTiledKernel.Fits(c, ctx) ? PointwiseConvTiledKernel.Plan(c, ctx) : [PointwiseConvKernel.Plan(c, ctx)];
    }

    /// <summary>1x1, depthwise and packed grouped convolutions run with all tensors in one layout (NCHW, or NC4HW4 where
    /// <see cref="KernelCapabilities.RunsPacked(Conv2dOp)"/>); any other convolution runs on conv2d_packed in each
    /// layout its channel counts allow (input and output chosen apart), or reads NCHW and writes NC4HW4 on
    /// conv2d_tiled's OUT_PACKED.</summary>
    public override bool SupportsLayouts(Conv2dOp c)
    {
        if (Conv2dPackedKernel.Runs(c))
            return Conv2dPackedKernel.Handles(c);
        if (c.IsPointwise || c.IsDepthwise || PointwiseConvGroupedPackedKernel.Handles(c))
        {
            var layouts = c.Inputs.Append(c.Output).Select(v => v.Layout).Distinct().ToList();
            return layouts.Count == 1 && (layouts[0] == TensorLayout.Nchw || KernelCapabilities.RunsPacked(c));
        }
        return c.Inputs.All(v => v.Layout == TensorLayout.Nchw) &&
            (c.Output.Layout == TensorLayout.Nchw || KernelCapabilities.WritesPackedFromPlanar(c));
    }

    /// <summary>On the packed kernels where <see cref="KernelCapabilities.RunsPacked(Conv2dOp)"/>; a full convolution (a
    /// stem) reads NCHW and writes packed where <see cref="WritesPacked"/>. A convolution whose output channels are not
    /// whole quads and whose input exists packed (SSD's 126-channel class heads, YOLO's 255-channel ones) writes its
    /// output padded to whole quads (zero filters) on the packed kernels (Winograd, the packed 1x1), unpacked with the
    /// padding dropped for its readers; grouped or with a residual, it writes planar on conv2d_packed.</summary>
    public override Conv2dOp? WithPackedTensors(Conv2dOp c, IChannelPacking packing)
    {
        if (KernelCapabilities.RunsPacked(c))
            return c with
            {
                Input = packing.Packed(c.Input),
                Residual = c.Residual is null ? null : packing.Packed(c.Residual),
                Output = packing.ProducedPacked(c.Output),
            };
        if (c.Groups == 1 && c.InC % 4 == 0 && c.OutC % 4 != 0 && c.Residual is null && packing.IsPacked(c.Input))
            return QuadPadding.WithOutput(c, packing.ProducedPackedPadded(c.Output)) with { Input = packing.Packed(c.Input) };
        if (Conv2dPackedKernel.Runs(c) && Conv2dPackedKernel.ReadsPacked(c) && packing.IsPacked(c.Input))
        {
            if (c.Residual is not null) packing.EnsurePlanar(c.Residual);
            return c with { Input = packing.Packed(c.Input) };
        }
        if (!WritesPacked(c, packing.Graph)) return null;
        packing.EnsurePlanar(c.Input);
        return c with { Output = packing.ProducedPacked(c.Output) };
    }

    /// <summary>Whether this full convolution (planar input) writes its output packed: when only packed convolutions
    /// read it, as the stem of MobileNetV1/V2, so no conversion runs between them. Also when a max pool reads it whose
    /// readers all read packed (ShuffleNetV1: stem → max pool → 1x1 and average pool; GoogLeNet: stem → max pool → LRN).
    /// On conv2d_tiled where its filters
    /// fit a window, else on conv2d_packed (planar input read 4 channels at a time).</summary>
    private static bool WritesPacked(Conv2dOp c, ModelGraph g) =>
        (KernelCapabilities.WritesPackedFromPlanar(c) || Conv2dPackedKernel.Runs(c) && Conv2dPackedKernel.WritesPacked(c) && c.Residual is null) &&
        c.Output != g.Output &&
        g.Consumers(c.Output).All(n => n is Conv2dOp consumer && KernelCapabilities.RunsPacked(consumer) ||
            n is MaxPoolOp pool && KernelCapabilities.MaxPoolRunsPacked(pool) && pool.Output != g.Output &&
            g.Consumers(pool.Output).All(r => r is Conv2dOp conv && KernelCapabilities.RunsPacked(conv) || r is LrnOp lrn && KernelCapabilities.LrnRunsPacked(lrn) ||
                r is AvgPoolOp avg && KernelCapabilities.PoolReadsPacked(avg)));

    /// <summary>In NC4HW4 the packed 1x1 kernels (grouped or plain), Winograd (its output transform writes the buffer) and
    /// conv2d_packed with packed input and output (SqueezeNet's fire modules, GoogLeNet's inception branches); grouped 1x1
    /// ones (pointwise_conv_grouped) in NCHW: a plain planar 1x1 runs on kernels that may split a layer into dispatches.
    /// No residual (it would be read at the wider tensor's stride).</summary>
    public override bool WritesIntoConcat(Conv2dOp c) => c.Residual is null && !KernelCapabilities.RunsOnDense(c) &&
        (c.Output.Layout == TensorLayout.Nc4hw4
            ? c.Input.Layout == TensorLayout.Nc4hw4 && (PointwiseConvGroupedPackedKernel.Handles(c) || KernelCapabilities.RunsPacked(c) &&
                (c.IsPointwise || WinogradConvKernel.Handles(c) || Conv2dPackedKernel.Handles(c)))
            : PointwiseConvGroupedKernel.Handles(c));

    /// <summary>The part's packed kernel with its output at the buffer (on GPUs too the register-tile GEMMs: the
    /// shared-memory ones have no output stride), its batch stride the buffer's quads.</summary>
    public override IReadOnlyList<KernelDispatch> PlanIntoConcat(Conv2dOp c, KernelContext ctx, ConcatTarget target)
    {
        if (!target.Packed)
            return target.Retarget(PointwiseConvGroupedKernel.Plan(c, ctx, stored: target.Write.Output), PointwiseConvGroupedKernel.Id,
                k => k with { OutStrideC = target.Buffer.C });
        int quads = target.Buffer.C / 4;
        if (c.Groups > 1 && PointwiseConvGroupedPackedKernel.Handles(c))
            return target.Retarget(PointwiseConvGroupedPackedKernel.Plan(c, ctx, stored: target.Write.Output), PointwiseConvGroupedPackedKernel.Id,
                k => k with { OutStrideC4 = quads });
        if (c.IsPointwise)
        {
            var plain = PointwiseConvPackedKernel.Plan(c, ctx, c.Input, target.Write.Output).Single();
            return target.Retarget(plain, PointwiseConvPackedKernel.IdFor((PointwiseConvPackedConstants)plain.Constants), k => k with { OutStrideC4 = quads });
        }
        if (WinogradConvKernel.Handles(c) && WinogradConvKernel.Algorithm(c, target.Choice, ctx.ActivationBytes) != Conv3x3Algorithm.Direct)
            return target.Retarget(WinogradConvKernel.Plan(c, ctx, target.Choice, target.Write.Output), WinogradConvKernel.OutputId,
                k => k with { OutStrideC4 = quads });
        return target.Retarget(Conv2dPackedKernel.Plan(c, ctx, target.Write.Output), Conv2dPackedKernel.Id,
            k => k with { OutStrideC4 = quads });
    }

    /// <summary>A packed Winograd convolution's transformed tiles, a padded packed 1x1's padded input (reserved on GPUs
    /// too, where conv2d_shared runs it: the choice of GEMM depends on the device, which this is not told).</summary>
    public override long ScratchElements(Conv2dOp c, KernelChoice choice, int activationBytes) =>
        c.Input.Layout != TensorLayout.Nc4hw4 ? 0
        : WinogradConvKernel.Handles(c) ? WinogradConvKernel.ScratchElements(c, choice, activationBytes)
        : PaddedPointwiseConvKernel.Handles(c) && c.Output.Layout == TensorLayout.Nc4hw4 ? PaddedPointwiseConvKernel.ScratchElements(c) : 0;

    /// <summary>The residual, unless it is also the data input (that one is read at neighbouring pixels and across channels)
    /// or narrower than the output.</summary>
    public override Value? InPlaceInput(Conv2dOp c) => c.Residual is { } r && r != c.Input && !c.HasNarrowResidual ? r : null;

    /// <inheritdoc/>
    public override bool TakesActivation(Conv2dOp c) => c.Activation == Activation.None;

    /// <inheritdoc/>
    public override Conv2dOp WithActivation(Conv2dOp c, Activation activation, Value output) => c with { Activation = activation, Output = output };

    /// <summary>Conv, then Add for the residual and the activation: our fused conv is act(conv + bias + residual).</summary>
    public override void Export(Conv2dOp c, OnnxGraphWriter w)
    {
        OnnxGraphWriter.CheckActivation(c.Activation, c);
        if (c.HasNarrowResidual)
            throw new NotSupportedException($"ONNX export: {c} adds a residual of {c.Residual!.Shape.C} channels to {c.OutC}, which has no ONNX mapping here");
        string weights = w.AddFloatInitializer($"{c.Name}.weight", c.Weights, c.OutC, c.InC / c.Groups, c.KernelH, c.KernelW);
        var inputs = new List<string> { w.Tensor(c.Input, 4), weights };
        if (c.Bias is not null)
            inputs.Add(w.AddFloatInitializer($"{c.Name}.bias", c.Bias, c.OutC));

        bool tail = c.Residual is not null || c.Activation != Activation.None;
        string output = w.Define(c.Output, 4);
        string conv = tail ? w.Temp($"{c.Name}_conv") : output;
        w.AddNode("Conv", c.Name, inputs, conv,
            Attr.Ints("kernel_shape", c.KernelH, c.KernelW),
            Attr.Ints("strides", c.StrideH, c.StrideW),
            Attr.Ints("pads", Attr.Pads(c.Pad)),
            Attr.Ints("dilations", c.DilationH, c.DilationW),
            Attr.Int("group", c.Groups));

        // The residual joins before the activation.
        if (c.Residual is not null)
        {
            string sum = c.Activation == Activation.None ? output : w.Temp($"{c.Name}_residual");
            w.AddNode("Add", $"{c.Name}_residual", [conv, w.Tensor(c.Residual, 4)], sum);
            conv = sum;
        }
        if (c.Activation != Activation.None)
            w.Activate(c.Activation, $"{c.Name}_act", conv, output, c);
    }

    /// <inheritdoc/>
    public override bool NonNegative(Conv2dOp c, Func<Value, bool> isNonNegative) => EndsInRelu(c.Activation);

    /// <inheritdoc/>
    public override IEnumerable<OpConstant> Constants(Conv2dOp c) => WeightsAndBias(c.Weights, c.Bias);

    /// <inheritdoc/>
    public override long Params(Conv2dOp c) => (long)c.Weights.Length + (c.Bias?.Length ?? 0);

    /// <inheritdoc/>
    public override long MultiplyAdds(Conv2dOp c) => (long)c.Output.Shape.Elements * (c.InC / c.Groups) * c.KernelH * c.KernelW;
}
