using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/concat_shuffle.comp: one dispatch per part, each writing its channels to their shuffled places.</summary>
internal static class ShuffledConcatKernel
{
    /// <summary>shaders/concat_shuffle.comp.</summary>
    public static readonly KernelId<ShuffledConcatConstants> Id = new("concat_shuffle");

    public static IReadOnlyList<KernelDispatch> Plan(ShuffledConcatOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W, first = 0;
        var dispatches = new List<KernelDispatch>();
        for (int i = 0; i < op.Parts.Count; i++)
        {
            var part = op.Parts[i];
            int count = part.Shape.C * plane;
            var spec = new ShuffledConcatConstants(KernelContext.WorkgroupSize, count, plane, o.C, first, op.Groups);
            dispatches.Add(KernelDispatch.Create($"{op.Name}[{i}]", Id, spec, new PushOffsets(ctx.Offset(part), 0, ctx.Offset(op.Output), 0, 0),
                (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1), [ctx.Bytes(part)], [ctx.Bytes(op.Output)]));
            first += part.Shape.C;
        }
        return dispatches;
    }
}

/// <summary>The specialisation constants of shaders/concat_shuffle.comp, in constant_id order.</summary>
internal readonly record struct ShuffledConcatConstants(int LocalSize, int Count, int Plane, int OutC, int First, int Groups) : ISpecConstants;
