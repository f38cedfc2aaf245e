using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/concat_shuffle.comp: one dispatch per part, each writing its channels to their shuffled places.</summary>
internal static class ShuffledConcatKernel
{
    public const string Shader = "concat_shuffle";

    public static IReadOnlyList<KernelDispatch> Plan(ShuffledConcatOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W, first = 0;
        var dispatches = new List<KernelDispatch>();
        for (int i = 0; i < op.Parts.Count; i++)
        {
            var part = op.Parts[i];
            int count = part.Shape.C * plane;
            int[] spec = [KernelContext.WorkgroupSize, count, plane, o.C, first, op.Groups];
            dispatches.Add(new KernelDispatch($"{op.Name}[{i}]", Shader, spec, new PushOffsets(ctx.Offset(part), 0, ctx.Offset(op.Output), 0, 0),
                (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1), [ctx.Bytes(part)], [ctx.Bytes(op.Output)]));
            first += part.Shape.C;
        }
        return dispatches;
    }
}
