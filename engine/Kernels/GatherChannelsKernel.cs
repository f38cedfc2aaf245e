using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/gather_channels.comp: channels of an NC4HW4 pool picked by a table in the weights, written NC4HW4
/// or NCHW; one invocation per pixel and output quad.</summary>
internal static class GatherChannelsKernel
{
    /// <summary>shaders/gather_channels.comp.</summary>
    public static readonly KernelId<GatherChannelsConstants> Id = new("gather_channels");

    /// <exception cref="NotSupportedException">The input is not packed whole quads, the output is packed with a partial
    /// quad, or the tensors lie beyond the texel views (the message names the op).</exception>
    public static KernelDispatch Plan(GatherChannelsOp op, KernelContext ctx) => Plan(op, op.Input, op.Output, op.Channels, ctx);

    /// <summary>Output channel c of <paramref name="op"/> is channel <paramref name="channels"/>[c] of its packed
    /// <paramref name="input"/> (a gather, or a channel slice of a packed tensor: <see cref="Ops.SliceChannelsProvider"/>).</summary>
    public static KernelDispatch Plan(Node op, Value input, Value output, IReadOnlyList<int> channels, KernelContext ctx)
    {
        var (i, o) = (input.Shape, output.Shape);
        bool outPacked = output.Layout == TensorLayout.Nc4hw4;
        if (input.Layout != TensorLayout.Nc4hw4 || i.C % 4 != 0 || outPacked && o.C % 4 != 0)
            throw new NotSupportedException($"{op}: gathers from an NC4HW4 tensor of whole quads ({input}) into NCHW or whole quads ({output})");
        int quads = (o.C + 3) / 4, hw = o.H * o.W;
        // One texel per output quad: the source channels as floats (exact below 2^24), 0 for a partial quad's tail.
        var table = Enumerable.Range(0, quads * 4).Select(c => c < o.C ? (float)channels[c] : 0f).ToArray();
        uint offset = ctx.AddWeights(table);
        ctx.RequireTexels(op, offset, table.Length);
        int local = KernelContext.LocalSizeFor(hw);
        var spec = new GatherChannelsConstants(local, o.C, i.C, hw, outPacked);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(input), 0, ctx.Offset(output), offset, 0),
            (KernelContext.Groups(hw, local), (uint)quads, (uint)ctx.Batch), [ctx.Bytes(input)], [ctx.Bytes(output)]);
    }
}

/// <summary>The specialisation constants of shaders/gather_channels.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct GatherChannelsConstants(int LocalSize, int C, int SrcC, int Hw, GlslBool OutPacked) : ISpecConstants;
