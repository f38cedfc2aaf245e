using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Planning;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Runtime;

/// <summary>How many samples a session submits at once: the largest count up to the requested batch whose activation
/// arena fits one buffer on the device (maxStorageBufferRange: the arena is bound whole; maxMemoryAllocationSize; and
/// the heap, beside the weights). The weights go in as many buffers (pages) as they need, each within those limits, so
/// only their sum must fit the heap; where one sample's arena or the weights cannot, the session is refused with the
/// limit named.</summary>
internal sealed record SubBatchFit(int SubBatch, MemoryPlan Memory, IReadOnlyList<KernelDispatch> Dispatches, float[][] WeightPages)
{
    public static SubBatchFit Find(ModelGraph graph, VulkanDevice device, SessionOptions options, int activationBytes)
    {
        var limits = device.ResourceLimits;
        int batch = options.Batch;
        while (true)
        {
            var fit = Plan(graph, device, options, batch, activationBytes);
            ulong weightBytes = (ulong)fit.WeightPages.Sum(p => p.LongLength) * 4;
            if (weightBytes > limits.DeviceLocalHeapBytes)
                throw new DeviceLimitException($"'{graph.Name}': its weights take {DeviceLimits.Describe(weightBytes)}; device '{device.Name}' " +
                    $"has {DeviceLimits.Describe(limits.DeviceLocalHeapBytes)} in its device-local memory heap");
            ulong arenaLimit = Math.Min(limits.MaxBufferBytes, limits.DeviceLocalHeapBytes - Math.Min(weightBytes, limits.DeviceLocalHeapBytes));
            ulong arenaBytes = (ulong)fit.Memory.ArenaElements * (ulong)activationBytes;
            if (arenaBytes <= arenaLimit) return fit;
            if (batch == 1)
                throw new DeviceLimitException($"'{graph.Name}' with input {graph.Input.Shape} needs {DeviceLimits.Describe(arenaBytes)} of " +
                    $"activations for one sample; device '{device.Name}' allows {DeviceLimits.Describe(arenaLimit)} " +
                    $"({(arenaLimit < limits.MaxBufferBytes ? "the device-local heap beside the weights" : limits.MaxBufferBytesLimitName)})");
            // Activations grow about linearly with the batch: jump close to the fit, then step down.
            batch = Math.Max(1, Math.Min(batch - 1, (int)(batch * ((double)arenaLimit / arenaBytes))));
        }
    }

    private static SubBatchFit Plan(ModelGraph graph, VulkanDevice device, SessionOptions options, int batch, int activationBytes)
    {
        long Scratch(Node n) => KernelSelector.ScratchElements(n, options.Kernels, activationBytes);
        var memory = options.MemoryReuse ? ReusePlanner.Plan(graph, batch, InPlacePolicy.Default, Scratch) : NaivePlanner.Plan(graph, batch, Scratch);
        var window = device.UniformWindowBytes;
        var packer = new WeightPacker((int)(device.UniformOffsetAlignment / 4), WeightPageElements(device));
        var ctx = new KernelContext(memory, packer, batch, (int)(window / 4), activationBytes,
            device.SupportsSubgroupBroadcast ? device.SubgroupSize : 0, (long)Math.Min(device.MaxTexelBufferElements, long.MaxValue / 4) * 4,
            device.Kind);
        var dispatches = KernelSelector.PlanAll(graph.Nodes, ctx, options.Kernels);
        return new SubBatchFit(batch, memory, dispatches, packer.ToArrays(tailPadding: (int)(window / 4)));
    }

    /// <summary>Elements one weight page may hold on <paramref name="device"/>: one buffer's bytes (storage range, one
    /// allocation, the heap) less the uniform window padded after its last block, in whole alignment units.</summary>
    public static long WeightPageElements(VulkanDevice device)
    {
        long elements = (long)Math.Min(device.ResourceLimits.MaxBufferBytes / 4, long.MaxValue / 8) - (long)(device.UniformWindowBytes / 4);
        long align = Math.Max((long)(device.UniformOffsetAlignment / 4), MemoryPlan.Alignment);
        return Math.Max(elements / align * align, align);
    }
}
