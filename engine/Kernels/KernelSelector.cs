using GpuMobileNet.Graph;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>Maps each graph op to the kernels that run it on the GPU: its provider (<see cref="OpRegistry"/>) chooses them.</summary>
internal static class KernelSelector
{
    /// <summary>The dispatches that run <paramref name="node"/>: none for ops that cost nothing (Flatten aliases
    /// its input), several where a kernel splits a layer so each dispatch's weights fit a uniform window.</summary>
    /// <exception cref="NotSupportedException">The op has no GPU kernel (the message names it).</exception>
    public static IReadOnlyList<KernelDispatch> Plan(Node node, KernelContext ctx, KernelChoice choice)
    {
        var provider = OpRegistry.TryFor(node) ?? throw new NotSupportedException($"{node} has no GPU kernel ({node.GetType().Name} has no op provider)");
        if (!provider.SupportsLayouts(node))
            throw new NotSupportedException(
                $"{node} has no GPU kernel for these layouts: {string.Join(", ", node.Inputs.Append(node.Output).Select(v => v.ToString()))}");
        var dispatches = PlanInOnePage(node, provider, ctx, choice);
        // Split layers divide their work along the grid's y axis (channel blocks), so y gives each part's share.
        double total = dispatches.Sum(d => (double)d.Groups.Y);
        int page = ctx.Weights.Page;
        return dispatches.Select(d => d with { Source = node, Fraction = dispatches.Count == 1 ? 1 : d.Groups.Y / total, WeightPage = page }).ToList();
    }

    /// <summary>The provider's dispatches for <paramref name="node"/>, its weights all in the packer's current page: where
    /// they overflow it, planned again on a new page (kernels pack weights as they plan, so planning again repacks them).</summary>
    /// <exception cref="Vulkan.DeviceLimitException">The node's weights alone exceed a page (the message names it).</exception>
    private static IReadOnlyList<KernelDispatch> PlanInOnePage(Node node, IOpProvider provider, KernelContext ctx, KernelChoice choice)
    {
        var weights = ctx.Weights;
        var mark = weights.Mark();
        var dispatches = provider.Plan(node, ctx, choice);
        if (!weights.PageOverflows) return dispatches;
        if (mark.PageEnd > 0)
        {
            weights.MoveToNewPage(mark);
            dispatches = provider.Plan(node, ctx, choice);
            if (!weights.PageOverflows) return dispatches;
        }
        throw new Vulkan.DeviceLimitException($"{node}: its weights take {Vulkan.DeviceLimits.Describe((ulong)weights.Mark().PageEnd * 4)} as packed " +
            $"for its kernel, more than the {Vulkan.DeviceLimits.Describe((ulong)weights.PageCapacity * 4)} one weight buffer may bind on this device");
    }

    /// <summary>The dispatches of every node in order; where some nodes have no kernel, one exception lists each.</summary>
    /// <exception cref="NotSupportedException">Some ops have no GPU kernel (each named, with why).</exception>
    public static List<KernelDispatch> PlanAll(IEnumerable<Node> nodes, KernelContext ctx, KernelChoice choice)
    {
        var (dispatches, unsupported) = TryPlanAll(nodes, ctx, choice);
        return unsupported.Count == 0 ? dispatches : throw new NotSupportedException(Describe(unsupported));
    }

    /// <summary>Scratch elements per sample that <paramref name="node"/>'s kernels need between their own dispatches
    /// (the memory plan reserves them, see <see cref="KernelContext.Scratch"/>): a Winograd convolution's tiles.</summary>
    public static long ScratchElements(Node node, KernelChoice choice, int activationBytes) =>
        OpRegistry.TryFor(node)?.ScratchElements(node, choice, activationBytes) ?? 0;

    /// <summary>The dispatches of the nodes that have a kernel, and why each of the others has none ("Conv2d 'x': ...").</summary>
    public static (List<KernelDispatch> Dispatches, List<string> Unsupported) TryPlanAll(IEnumerable<Node> nodes, KernelContext ctx, KernelChoice choice)
    {
        var dispatches = new List<KernelDispatch>();
        var unsupported = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                dispatches.AddRange(Plan(node, ctx, choice));
            }
            catch (NotSupportedException e)
            {
                unsupported.Add(e.Message);
            }
        }
        return (dispatches, unsupported);
    }

    /// <summary>One line for the reasons <see cref="TryPlanAll"/> gave: the count, then each.</summary>
    public static string Describe(IReadOnlyList<string> unsupported) => unsupported.Count == 1
        ? unsupported[0]
        : $"{unsupported.Count} ops cannot run on the GPU: {string.Join("; ", unsupported)}";
}
