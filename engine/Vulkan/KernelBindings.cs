using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The one descriptor set a session needs: its activation arena at binding 0 and its weights at
/// binding 1. Kernels address tensors by offsets (push constants), so no per-layer sets exist.</summary>
internal sealed unsafe class KernelBindings : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DescriptorPool _pool;

    public DescriptorSet Set { get; }

    public KernelBindings(VulkanDevice device, GpuBuffer activations, GpuBuffer weights)
    {
        _device = device;
        var size = new DescriptorPoolSize(DescriptorType.StorageBuffer, PipelineLibrary.BindingCount);
        var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 1, PPoolSizes = &size };
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

        var infos = stackalloc DescriptorBufferInfo[2];
        infos[0] = new DescriptorBufferInfo(activations.Handle, 0, Vk.WholeSize);
        infos[1] = new DescriptorBufferInfo(weights.Handle, 0, Vk.WholeSize);
        var writes = stackalloc WriteDescriptorSet[2];
        for (int i = 0; i < 2; i++)
            writes[i] = new WriteDescriptorSet
            {
                SType = StructureType.WriteDescriptorSet, DstSet = set, DstBinding = (uint)i, DescriptorCount = 1,
                DescriptorType = DescriptorType.StorageBuffer, PBufferInfo = &infos[i],
            };
        device.Vk.UpdateDescriptorSets(device.Handle, 2, writes, 0, null);
    }

    public void Dispose() => _device.Vk.DestroyDescriptorPool(_device.Handle, _pool, null);
}
