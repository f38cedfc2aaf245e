using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Runs a <see cref="MappedConvOp"/>: a convolution reading its input channels from a wider tensor and writing
/// its output channels into a wider tensor, so channel splits and concatenations need no copy. A 1x1 convolution runs
/// shaders/pointwise_conv_packed.comp with GATHER and/or SCATTER (quad tables in the weight buffer, at
/// pc.aux1 and pc.aux2); a depthwise one shaders/depthwise_conv_packed.comp with the wider tensors' batch
/// strides, its quad ranges' first quads added to the tensors' offsets.</summary>
internal static class MappedConvKernel
{
    public static KernelDispatch Plan(MappedConvOp op, KernelContext ctx)
    {
        var conv = op.Conv;
        var (s, i, o, r) = (op.Source.Shape, conv.Input.Shape, conv.Output.Shape, op.Output.Shape);
        if (conv.Residual is not null || !(conv.IsPointwise || conv.IsDepthwise))
            throw new NotSupportedException($"{op}: a mapped convolution is a 1x1 or depthwise one without a residual");
        if (s.H != i.H || s.W != i.W || r.H != o.H || r.W != o.W || s.C % 4 != 0 || r.C % 4 != 0)
            throw new NotSupportedException($"{op}: source {s} and output {r} must match the convolution's {i} -> {o} in size and hold whole channel quads");
        if (op.SourceQuads is null && s.C != i.C || op.TargetQuads is null && r.C != o.C)
            throw new NotSupportedException($"{op}: without a channel table a tensor must have the convolution's channels ({s} -> {r}, convolution {i} -> {o})");
        if (op.Into is not null && ctx.Offset(op.Into) != ctx.Offset(op.Output))
            throw new NotSupportedException($"{op}: it writes some channels of '{op.Into.Name}' and keeps the rest, so its output must be planned in place over it");
        Check(op.SourceQuads, i.C, s.C, op, conv.IsDepthwise);
        Check(op.TargetQuads, o.C, r.C, op, conv.IsDepthwise);
        if (i.C % 4 != 0 || o.C % 4 != 0)
            throw new NotSupportedException($"{op}: a mapped convolution moves whole channel quads, not {i.C} -> {o.C} channels");
        return conv.IsDepthwise ? Depthwise(op, ctx) : Pointwise(op, ctx);
    }

    // The plain kernel's planning (tiles, weights, bias) for the convolution, then the tables and the wider tensors.
    private static KernelDispatch Pointwise(MappedConvOp op, KernelContext ctx)
    {
        var plain = PointwiseConvPackedKernel.Plan(op.Conv, ctx, op.Source, op.Output).Single();
        var constants = (PointwiseConvPackedConstants)plain.Constants with
        {
            Gather = op.SourceQuads is not null,
            InStrideC4 = op.Source.Shape.C / 4,
            Scatter = op.TargetQuads is not null,
            OutStrideC4 = op.Output.Shape.C / 4,
        };
        uint gather = Table(op.SourceQuads, op, ctx);
        uint scatter = Table(op.TargetQuads, op, ctx);
        if (op.Gate is not { } gate)
            return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.IdFor(constants), constants, plain.Push with { Aux1 = gather, Aux2 = scatter },
                plain.Groups, plain.Reads, plain.Writes);
        if (op.SourceQuads is not null || gate.Shape.C != op.Source.Shape.C || gate.Shape.H != 1 || gate.Shape.W != 1 || !ctx.TexelsReach(gate))
            throw new NotSupportedException($"{op}: the gate '{gate.Name}' ({gate.Shape}) must be {op.Source.Shape.C}x1x1 within the texel view, over an ungathered input");
        return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.IdFor(constants), constants with { Gated = true },
            plain.Push with { Aux0 = ctx.Offset(gate), Aux1 = gather, Aux2 = scatter }, plain.Groups, [.. plain.Reads, ctx.Bytes(gate)], plain.Writes);
    }

    // A quad range starts at element first x H x W of an NC4HW4 tensor; the batch stride is the whole tensor's.
    private static KernelDispatch Depthwise(MappedConvOp op, KernelContext ctx)
    {
        var plain = DepthwiseConvPackedKernel.Plan(op.Conv, ctx, op.Source, op.Output).Single();
        var constants = (DepthwiseConvPackedConstants)plain.Constants with { InStrideC4 = op.Source.Shape.C / 4, OutStrideC4 = op.Output.Shape.C / 4 };
        uint inFirst = (uint)((op.SourceQuads?[0] ?? 0) * 4 * op.Source.Shape.H * op.Source.Shape.W);
        uint outFirst = (uint)((op.TargetQuads?[0] ?? 0) * 4 * op.Output.Shape.H * op.Output.Shape.W);
        return KernelDispatch.Create(plain.Label, DepthwiseConvPackedKernel.Id, constants,
            plain.Push with { In0 = plain.Push.In0 + inFirst, Out0 = plain.Push.Out0 + outFirst }, plain.Groups, plain.Reads, plain.Writes);
    }

    private static void Check(int[]? quads, int channels, int tensorChannels, MappedConvOp op, bool range)
    {
        if (quads is null) return;
        if (quads.Length * 4 != channels || quads.Any(q => q < 0 || q >= tensorChannels / 4))
            throw new NotSupportedException($"{op}: its quad table ({quads.Length} entries) must have {channels / 4} entries, each a quad below {tensorChannels / 4}");
        if (range && quads.Select((q, k) => q != quads[0] + k).Any(x => x))
            throw new NotSupportedException($"{op}: a depthwise convolution reads and writes ranges of channel quads, not [{string.Join(", ", quads)}]");
    }

    // A quad table in the weights, one texel per entry (the index as a float, exact below 2^24, four times).
    private static uint Table(int[]? quads, MappedConvOp op, KernelContext ctx)
    {
        if (quads is null) return 0;
        uint offset = ctx.AddWeights(quads.SelectMany(q => Enumerable.Repeat((float)q, 4)).ToArray());
        ctx.RequireTexels(op, offset, quads.Length * 4);
        return offset;
    }
}
