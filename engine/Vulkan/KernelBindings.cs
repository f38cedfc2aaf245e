using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The one descriptor set a session needs (the layout is <see cref="PipelineLibrary"/>'s): its activation
/// arena at binding 0 and its weights at binding 1, two uniform windows over the weights at bindings 2 and 3 (moved
/// per dispatch by dynamic offsets), and the arena and the weights as vec4 texel buffers at bindings 4 and 5.
/// Kernels address tensors by offsets (push constants), so no per-layer sets exist.</summary>
internal sealed unsafe class KernelBindings : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DescriptorPool _pool;
    private readonly BufferView _activationTexels;
    private readonly BufferView _weightTexels;

    public DescriptorSet Set { get; }

    /// <param name="activationBytes">Bytes per activation element (4, or 2 for fp16 storage): the arena's texels
    /// are 4 such elements.</param>
    public KernelBindings(VulkanDevice device, GpuBuffer activations, GpuBuffer weights, ulong uniformWindowBytes, int activationBytes)
    {
        _device = device;
        var sizes = stackalloc DescriptorPoolSize[3];
        sizes[0] = new DescriptorPoolSize(DescriptorType.StorageBuffer, 2);
        sizes[1] = new DescriptorPoolSize(DescriptorType.UniformBufferDynamic, PipelineLibrary.UniformWindowCount);
        sizes[2] = new DescriptorPoolSize(DescriptorType.UniformTexelBuffer, 2);
        var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 3, PPoolSizes = sizes };
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
        _activationTexels = CreateTexelView(activations, activationBytes == 2 ? Format.R16G16B16A16Sfloat : Format.R32G32B32A32Sfloat, 4u * (uint)activationBytes);
        _weightTexels = CreateTexelView(weights, Format.R32G32B32A32Sfloat, 16);

        const int n = PipelineLibrary.BindingCount;
        var buffers = stackalloc DescriptorBufferInfo[n];
        var views = stackalloc BufferView[n];
        buffers[0] = new DescriptorBufferInfo(activations.Handle, 0, Vk.WholeSize);
        buffers[1] = new DescriptorBufferInfo(weights.Handle, 0, Vk.WholeSize);
        for (int i = PipelineLibrary.FirstUniformWindowBinding; i < PipelineLibrary.FirstUniformWindowBinding + PipelineLibrary.UniformWindowCount; i++)
            buffers[i] = new DescriptorBufferInfo(weights.Handle, 0, uniformWindowBytes);
        views[PipelineLibrary.ActivationTexelsBinding] = _activationTexels;
        views[PipelineLibrary.WeightTexelsBinding] = _weightTexels;
        var writes = stackalloc WriteDescriptorSet[n];
        for (int i = 0; i < n; i++)
        {
            var type = PipelineLibrary.TypeOf(i);
            bool texel = type == DescriptorType.UniformTexelBuffer;
            writes[i] = new WriteDescriptorSet
            {
                SType = StructureType.WriteDescriptorSet, DstSet = set, DstBinding = (uint)i, DescriptorCount = 1, DescriptorType = type,
                PBufferInfo = texel ? null : &buffers[i], PTexelBufferView = texel ? &views[i] : null,
            };
        }
        device.Vk.UpdateDescriptorSets(device.Handle, n, writes, 0, null);
    }

    /// <summary>A view of <paramref name="buffer"/> as texels of <paramref name="texelBytes"/>, as many as the buffer
    /// holds up to the device's maxTexelBufferElements (kernels check that what they read lies inside:
    /// KernelContext.TexelsReach).</summary>
    private BufferView CreateTexelView(GpuBuffer buffer, Format format, uint texelBytes)
    {
        ulong texels = Math.Min(buffer.Bytes / texelBytes, _device.MaxTexelBufferElements);
        var info = new BufferViewCreateInfo
        {
            SType = StructureType.BufferViewCreateInfo, Buffer = buffer.Handle, Format = format, Offset = 0, Range = texels * texelBytes,
        };
        VulkanException.Check(_device.Vk.CreateBufferView(_device.Handle, in info, null, out var view), $"vkCreateBufferView({format})");
        _device.CountObject();
        return view;
    }

    public void Dispose()
    {
        _device.Vk.DestroyDescriptorPool(_device.Handle, _pool, null);
        _device.Vk.DestroyBufferView(_device.Handle, _activationTexels, null);
        _device.Vk.DestroyBufferView(_device.Handle, _weightTexels, null);
    }
}
