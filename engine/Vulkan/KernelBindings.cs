using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The one descriptor set a session needs: its activation arena at binding 0 and its weights at
/// binding 1, a uniform window over the weights at binding 2 (moved per dispatch by its dynamic offset).
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
        sizes[1] = new DescriptorPoolSize(DescriptorType.UniformBufferDynamic, 1);
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

        var infos = stackalloc DescriptorBufferInfo[3];
        infos[0] = new DescriptorBufferInfo(activations.Handle, 0, Vk.WholeSize);
        infos[1] = new DescriptorBufferInfo(weights.Handle, 0, Vk.WholeSize);
        infos[2] = new DescriptorBufferInfo(weights.Handle, 0, uniformWindowBytes);
        var writes = stackalloc WriteDescriptorSet[3];
        for (int i = 0; i < 3; i++)
            writes[i] = new WriteDescriptorSet
            {
                SType = StructureType.WriteDescriptorSet, DstSet = set, DstBinding = (uint)i, DescriptorCount = 1,
                DescriptorType = i == PipelineLibrary.UniformWindowBinding ? DescriptorType.UniformBufferDynamic : DescriptorType.StorageBuffer,
                PBufferInfo = &infos[i],
            };
        device.Vk.UpdateDescriptorSets(device.Handle, 3, writes, 0, null);
    }

    public void Dispose() => _device.Vk.DestroyDescriptorPool(_device.Handle, _pool, null);
}
