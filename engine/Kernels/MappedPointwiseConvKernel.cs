using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp with GATHER and/or SCATTER on: the channel-packed 1x1 convolution of
/// <see cref="PointwiseConvPackedKernel"/> reading its input channels from a wider tensor through a channel table and
/// writing its output channels into a wider tensor through another (<see cref="MappedPointwiseOp"/>), so channel splits
/// and concatenations need no copy. The tables are quads of channel indices in the weight buffer (pc.aux1, pc.aux2).</summary>
internal static class MappedPointwiseConvKernel
{
    public static KernelDispatch Plan(MappedPointwiseOp op, KernelContext ctx)
    {
        var conv = op.Conv;
        if (conv.Residual is not null)
            throw new NotSupportedException($"{op}: a mapped 1x1 convolution takes no residual");
        if (op.Source.Shape.H != conv.Output.Shape.H || op.Source.Shape.W != conv.Output.Shape.W || op.Source.Shape.C % 4 != 0 || op.Output.Shape.C % 4 != 0)
            throw new NotSupportedException($"{op}: source {op.Source.Shape} and output {op.Output.Shape} must match the convolution's {conv.Output.Shape} in size and hold whole channel quads");
        if (op.SourceChannels is null && op.Source.Shape.C != conv.InC)
            throw new NotSupportedException($"{op}: without a channel table the source must have the convolution's {conv.InC} channels, not {op.Source.Shape.C}");
        if (op.Into is not null && ctx.Offset(op.Into) != ctx.Offset(op.Output))
            throw new NotSupportedException($"{op}: it writes some channels of '{op.Into.Name}' and keeps the rest, so its output must be planned in place over it");
        // The plain kernel's planning (tiles, weights, bias) for the convolution, then the tables and the wider tensors.
        var plain = PointwiseConvPackedKernel.Plan(conv, ctx, op.Source, op.Output).Single();
        var constants = (PointwiseConvPackedConstants)plain.Constants with
        {
            Gather = op.SourceChannels is not null,
            InStrideC4 = op.Source.Shape.C / 4,
            Scatter = op.TargetChannels is not null,
            OutStrideC4 = op.Output.Shape.C / 4,
        };
        uint gather = Table(op.SourceChannels, conv.InC, op.Source.Shape.C, op, ctx);
        uint scatter = Table(op.TargetChannels, conv.OutC, op.Output.Shape.C, op, ctx);
        if (op.TargetChannels is null && op.Output.Shape.C != conv.OutC)
            throw new NotSupportedException($"{op}: without a channel table the output must have the convolution's {conv.OutC} channels");
        return KernelDispatch.Create(plain.Label, PointwiseConvPackedKernel.Id, constants, plain.Push with { Aux1 = gather, Aux2 = scatter },
            plain.Groups, plain.Reads, plain.Writes);
    }

    // A channel table as floats in the weights (exact below 2^24); every entry a channel of the tensor or -1 (skip).
    private static uint Table(int[]? channels, int length, int tensorChannels, MappedPointwiseOp op, KernelContext ctx)
    {
        if (channels is null) return 0;
        if (channels.Length != length || channels.Any(c => c < -1 || c >= tensorChannels))
            throw new NotSupportedException($"{op}: its channel table ({channels.Length} entries) must have {length} entries, each a channel below {tensorChannels}");
        uint offset = ctx.AddWeights(channels.Select(c => (float)c).ToArray());
        ctx.RequireTexels(op, offset, channels.Length);
        return offset;
    }
}
