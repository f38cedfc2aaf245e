using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The one descriptor set a session needs: its activation arena at binding 0 and its weights at
/// binding 1, two uniform windows over the weights at bindings 2 and 3 (moved per dispatch by dynamic offsets).
/// Kernels address tensors by offsets (push constants), so no per-layer sets exist.</summary>
internal sealed unsafe class KernelBindings : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DescriptorPool _pool;

    public DescriptorSet Set { get; }

    public KernelBindings(VulkanDevice device, GpuBuffer activations, GpuBuffer weights, ulong uniformWindowBytes)
    {
        _device = device;
        var sizes = stackalloc DescriptorPoolSize[2];
        sizes[0] = new DescriptorPoolSize(DescriptorType.StorageBuffer, 2);
        sizes[1] = new DescriptorPoolSize(DescriptorType.UniformBufferDynamic, PipelineLibrary.UniformWindowCount);
        var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 2, PPoolSizes = sizes };
        VulkanException.Check(device.Vk.CreateDescriptorPool(device.Handle, in poolInfo, null, out _pool), "vkCreateDescriptorPool");
        device.CountObject();
        var layout = device.Pipelines.SetLayout;
        var alloc = new DescriptorSetAllocateInfo
        {
            SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = _pool, DescriptorSetCount = 1, PSetLayouts = &layout,
        };
        VulkanException.Check(device.Vk.AllocateDescriptorSets(device.Handle, in alloc, out var set), "vkAllocateDescriptorSets");
        device.CountObject();
        Set = set;

        const int n = PipelineLibrary.BindingCount;
        var infos = stackalloc DescriptorBufferInfo[n];
        infos[0] = new DescriptorBufferInfo(activations.Handle, 0, Vk.WholeSize);
        infos[1] = new DescriptorBufferInfo(weights.Handle, 0, Vk.WholeSize);
        for (int i = PipelineLibrary.FirstUniformWindowBinding; i < n; i++)
            infos[i] = new DescriptorBufferInfo(weights.Handle, 0, uniformWindowBytes);
        var writes = stackalloc WriteDescriptorSet[n];
        for (int i = 0; i < n; i++)
            writes[i] = new WriteDescriptorSet
            {
                SType = StructureType.WriteDescriptorSet, DstSet = set, DstBinding = (uint)i, DescriptorCount = 1,
                DescriptorType = PipelineLibrary.IsUniformWindow(i) ? DescriptorType.UniformBufferDynamic : DescriptorType.StorageBuffer,
                PBufferInfo = &infos[i],
            };
        device.Vk.UpdateDescriptorSets(device.Handle, n, writes, 0, null);
    }

    public void Dispose() => _device.Vk.DestroyDescriptorPool(_device.Handle, _pool, null);
}
