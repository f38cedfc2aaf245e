using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>The descriptor sets a session needs (the layout is <see cref="PipelineLibrary"/>'s), one per weight buffer
/// (page, see <see cref="Planning.WeightPacker"/>): its activation arena at binding 0 and that page's weights at binding 1,
/// two uniform windows over the weights at bindings 2 and 3 (moved per dispatch by dynamic offsets), the arena and the
/// weights as vec4 texel buffers at bindings 4 and 5, and the weights as texels of four snorm bytes (int8 weights) at
/// binding 6. Kernels address tensors by offsets (push constants), so no per-layer sets exist; a dispatch binds the set
/// of the page that holds its weights.</summary>
internal sealed unsafe class KernelBindings : IDisposable
{
    private readonly VulkanDevice _device;
    private readonly DescriptorPool _pool;
    private readonly List<BufferView> _views = [];

    /// <summary>One set per weight buffer, in the order given.</summary>
    public DescriptorSet[] Sets { get; }

    /// <summary>The set of the first (or only) weight buffer.</summary>
    public DescriptorSet Set => Sets[0];

    /// <param name="activationBytes">Bytes per activation element (4, or 2 for fp16 storage): the arena's texels
    /// are 4 such elements.</param>
    public KernelBindings(VulkanDevice device, GpuBuffer activations, GpuBuffer weights, ulong uniformWindowBytes, int activationBytes)
        : this(device, activations, [weights], uniformWindowBytes, activationBytes)
    {
    }

    /// <param name="weightPages">The weight buffers: set i binds page i.</param>
    /// <param name="activationBytes">Bytes per activation element (4, or 2 for fp16 storage): the arena's texels
    /// are 4 such elements.</param>
    public KernelBindings(VulkanDevice device, GpuBuffer activations, IReadOnlyList<GpuBuffer> weightPages, ulong uniformWindowBytes, int activationBytes)
    {
        _device = device;
        uint sets = (uint)weightPages.Count;
        var sizes = stackalloc DescriptorPoolSize[3];
        sizes[0] = new DescriptorPoolSize(DescriptorType.StorageBuffer, 2 * sets);
        sizes[1] = new DescriptorPoolSize(DescriptorType.UniformBufferDynamic, PipelineLibrary.UniformWindowCount * sets);
        sizes[2] = new DescriptorPoolSize(DescriptorType.UniformTexelBuffer, 3 * sets);
        var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = sets, PoolSizeCount = 3, PPoolSizes = sizes };
        VulkanException.Check(device.Vk.CreateDescriptorPool(device.Handle, in poolInfo, null, out _pool), "vkCreateDescriptorPool");
        device.CountObject();
        var activationTexels = CreateTexelView(activations, activationBytes == 2 ? Format.R16G16B16A16Sfloat : Format.R32G32B32A32Sfloat, 4u * (uint)activationBytes);
        Sets = new DescriptorSet[sets];
        for (int p = 0; p < sets; p++)
            Sets[p] = CreateSet(activations, activationTexels, weightPages[p], uniformWindowBytes);
    }

    /// <summary>A set binding <paramref name="activations"/> and <paramref name="weights"/> (and their texel views).</summary>
    private DescriptorSet CreateSet(GpuBuffer activations, BufferView activationTexels, GpuBuffer weights, ulong uniformWindowBytes)
    {
        var layout = _device.Pipelines.SetLayout;
        var alloc = new DescriptorSetAllocateInfo
        {
            SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = _pool, DescriptorSetCount = 1, PSetLayouts = &layout,
        };
        VulkanException.Check(_device.Vk.AllocateDescriptorSets(_device.Handle, in alloc, out var set), "vkAllocateDescriptorSets");
        _device.CountObject();

        const int n = PipelineLibrary.BindingCount;
        var buffers = stackalloc DescriptorBufferInfo[n];
        var views = stackalloc BufferView[n];
        buffers[0] = new DescriptorBufferInfo(activations.Handle, 0, Vk.WholeSize);
        buffers[1] = new DescriptorBufferInfo(weights.Handle, 0, Vk.WholeSize);
        for (int i = PipelineLibrary.FirstUniformWindowBinding; i < PipelineLibrary.FirstUniformWindowBinding + PipelineLibrary.UniformWindowCount; i++)
            buffers[i] = new DescriptorBufferInfo(weights.Handle, 0, uniformWindowBytes);
        views[PipelineLibrary.ActivationTexelsBinding] = activationTexels;
        views[PipelineLibrary.WeightTexelsBinding] = CreateTexelView(weights, Format.R32G32B32A32Sfloat, 16);
        views[PipelineLibrary.WeightByteTexelsBinding] = CreateTexelView(weights, Format.R8G8B8A8SNorm, 4);
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
        _device.Vk.UpdateDescriptorSets(_device.Handle, n, writes, 0, null);
        return set;
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
        _views.Add(view);
        return view;
    }

    public void Dispose()
    {
        _device.Vk.DestroyDescriptorPool(_device.Handle, _pool, null);
        foreach (var view in _views) _device.Vk.DestroyBufferView(_device.Handle, view, null);
    }
}
