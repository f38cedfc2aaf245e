using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/concat.comp: one dispatch per part of a channel concatenation, each writing its channel range and
/// the blocks of zeros right after it (a leading block of zeros is a dispatch of its own), a texel per invocation where
/// the part and its place are whole texels (every NC4HW4 concatenation) and the device's texel view reaches the part, a
/// float otherwise.</summary>
internal static class ConcatKernel
{
    /// <summary>shaders/concat.comp.</summary>
    public static readonly KernelId<ConcatConstants> Id = new("concat");

    public static IReadOnlyList<KernelDispatch> Plan(ConcatOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W, first = 0;
        var dispatches = new List<KernelDispatch>();
        for (int i = 0; i < op.Parts.Count;)
        {
            var part = op.Parts[i];
            int count = part is null ? 0 : op.Channels[i] * plane, label = i;
            var push = new PushOffsets(part is null ? 0 : ctx.Offset(part), 0, ctx.Offset(op.Output) + (uint)(first * plane), 0, 0);
            int channels = op.Channels[i++];
            while (i < op.Parts.Count && op.Parts[i] is null) channels += op.Channels[i++];
            int zeros = channels * plane - count;
            bool vec4 = count % 4 == 0 && zeros % 4 == 0 && o.Elements % 4 == 0 && push.In0 % 4 == 0 && push.Out0 % 4 == 0 && (part is null || ctx.TexelsReach(part));
            var spec = new ConcatConstants(KernelContext.WorkgroupSize, count, o.Elements, zeros, vec4);
            dispatches.Add(KernelDispatch.Create($"{op.Name}[{label}]", Id, spec, push,
                (KernelContext.Groups(vec4 ? channels * plane / 4 : channels * plane, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
                part is null ? [] : [ctx.Bytes(part)], [ctx.Bytes(op.Output)]));
            first += channels;
        }
        return dispatches;
    }
}

/// <summary>The specialisation constants of shaders/concat.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct ConcatConstants(int LocalSize, int Count, int OutStride, int Zeros, GlslBool Vec4) : ISpecConstants;
