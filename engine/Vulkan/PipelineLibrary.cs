using System.Collections.Concurrent;
using Silk.NET.Vulkan;

namespace GpuMobileNet.Vulkan;

/// <summary>Every kernel shares one interface: binding 0 = activations (read/write storage buffer),
/// binding 1 = weights (read-only storage buffer), bindings 2 and 3 = two windows of the weights as dynamic
/// uniform buffers (uniform loads are far cheaper than storage loads on CPU implementations such as lavapipe),
/// bindings 4 and 5 = the activations and the weights as uniform texel buffers of 4-element texels (what the
/// channel-packed kernels and dense read: cheaper still, and without a window), binding 6 = the weights again as texels of
/// four signed 8-bit values read as snorm (int8 weights, see <see cref="Kernels.Int8Weights"/>), and
/// <see cref="PushConstantBytes"/> of per-dispatch offsets.
/// This library owns that layout and one pipeline per (shader, specialization constants), shared by all
/// sessions on the device.</summary>
internal sealed unsafe class PipelineLibrary : IDisposable
{
    public const int PushConstantBytes = 32;
    public const int BindingCount = 7;
    public const int ActivationTexelsBinding = 4;
    public const int WeightTexelsBinding = 5;
    public const int WeightByteTexelsBinding = 6;
    public const int FirstUniformWindowBinding = 2;
    public const int UniformWindowCount = 2;

    public static bool IsUniformWindow(int binding) => binding is >= FirstUniformWindowBinding and < FirstUniformWindowBinding + UniformWindowCount;

    public static DescriptorType TypeOf(int binding) => binding is ActivationTexelsBinding or WeightTexelsBinding or WeightByteTexelsBinding ? DescriptorType.UniformTexelBuffer
        : IsUniformWindow(binding) ? DescriptorType.UniformBufferDynamic : DescriptorType.StorageBuffer;

    private readonly VulkanDevice _device;
    private readonly ConcurrentDictionary<string, Pipeline> _pipelines = new();
    private readonly List<ShaderModule> _modules = [];
    private readonly ConcurrentDictionary<string, ShaderModule> _moduleByName = new();
    private readonly object _lock = new();

    public DescriptorSetLayout SetLayout { get; }
    public PipelineLayout Layout { get; }
    public int PipelineCount => _pipelines.Count;

    public PipelineLibrary(VulkanDevice device)
    {
        _device = device;
        var bindings = stackalloc DescriptorSetLayoutBinding[BindingCount];
        for (int i = 0; i < BindingCount; i++)
            bindings[i] = new DescriptorSetLayoutBinding
            {
                Binding = (uint)i, DescriptorCount = 1, StageFlags = ShaderStageFlags.ComputeBit,
                DescriptorType = TypeOf(i),
            };
        var setInfo = new DescriptorSetLayoutCreateInfo
        {
            SType = StructureType.DescriptorSetLayoutCreateInfo, BindingCount = BindingCount, PBindings = bindings,
        };
        VulkanException.Check(device.Vk.CreateDescriptorSetLayout(device.Handle, in setInfo, null, out var setLayout), "vkCreateDescriptorSetLayout");
        SetLayout = setLayout;
        var range = new PushConstantRange(ShaderStageFlags.ComputeBit, 0, PushConstantBytes);
        var layoutInfo = new PipelineLayoutCreateInfo
        {
            SType = StructureType.PipelineLayoutCreateInfo, SetLayoutCount = 1, PSetLayouts = &setLayout,
            PushConstantRangeCount = 1, PPushConstantRanges = &range,
        };
        VulkanException.Check(device.Vk.CreatePipelineLayout(device.Handle, in layoutInfo, null, out var layout), "vkCreatePipelineLayout");
        Layout = layout;
        device.CountObject();
        device.CountObject();
    }

    /// <summary>The pipeline of <paramref name="shader"/> specialised with <paramref name="specConstants"/>
    /// (constant_id i takes element i; id 0 is the workgroup size), created on first use.</summary>
    public Pipeline Get(string shader, ReadOnlySpan<int> specConstants)
    {
        var key = shader + ":" + string.Join(',', specConstants.ToArray());
        if (_pipelines.TryGetValue(key, out var existing)) return existing;
        lock (_lock)
        {
            if (_pipelines.TryGetValue(key, out existing)) return existing;
            var pipeline = _device.KernelLanguage == ShaderLanguage.Hlsl && !_device.KernelOverrides.ContainsKey(shader)
                ? Create(HlslModule(shader, specConstants), [], shader)
                : Create(Module(shader), specConstants, shader);
            _pipelines[key] = pipeline;
            return pipeline;
        }
    }

    private ShaderModule Module(string shader)
    {
        if (_moduleByName.TryGetValue(shader, out var module)) return module;
        module = CreateModule(_device.KernelOverrides.TryGetValue(shader, out var replaced) ? replaced : ShaderLibrary.Get(shader), shader);
        _moduleByName[shader] = module;
        return module;
    }

    /// <summary>The kernel's generated HLSL compiled at run time with its specialisation constants as the
    /// SPIRV_CROSS_CONSTANT_ID_n defines (HLSL has no specialisation), one module per (kernel, constants).</summary>
    private ShaderModule HlslModule(string shader, ReadOnlySpan<int> specConstants)
    {
        var hlsl = ShaderLibrary.GetHlsl(shader)
            ?? throw new NotSupportedException($"kernel '{shader}' has no HLSL form (only the fp32 kernels are translated)");
        var defines = HlslConstants.Defines(hlsl, specConstants);
        defines["GMN_PUSH_CONSTANT"] = "[[vk::push_constant]]";
        return CreateModule(ShaderCompiler.Compile(hlsl, ShaderLanguage.Hlsl, defines, shader + ".hlsl"), shader + ".hlsl");
    }

    private ShaderModule CreateModule(byte[] code, string shader)
    {
        ShaderModule module;
        fixed (byte* p = code)
        {
            var info = new ShaderModuleCreateInfo { SType = StructureType.ShaderModuleCreateInfo, CodeSize = (nuint)code.Length, PCode = (uint*)p };
            VulkanException.Check(_device.Vk.CreateShaderModule(_device.Handle, in info, null, out module), $"vkCreateShaderModule({shader})");
        }
        _device.CountObject();
        _modules.Add(module);
        return module;
    }

    private Pipeline Create(ShaderModule module, ReadOnlySpan<int> spec, string shader)
    {
        var entries = stackalloc SpecializationMapEntry[spec.Length];
        for (int i = 0; i < spec.Length; i++)
            entries[i] = new SpecializationMapEntry((uint)i, (uint)(i * 4), 4);
        var entryName = stackalloc byte[] { (byte)'m', (byte)'a', (byte)'i', (byte)'n', 0 };
        fixed (int* data = spec)
        {
            var specInfo = new SpecializationInfo
            {
                MapEntryCount = (uint)spec.Length, PMapEntries = entries, DataSize = (nuint)(spec.Length * 4), PData = data,
            };
            var info = new ComputePipelineCreateInfo
            {
                SType = StructureType.ComputePipelineCreateInfo, Layout = Layout,
                // Lets CommandRecorder split a grid larger than maxComputeWorkGroupCount with vkCmdDispatchBase.
                Flags = _device.SupportsDispatchBase ? PipelineCreateFlags.CreateDispatchBaseBit : 0,
                Stage = new PipelineShaderStageCreateInfo
                {
                    SType = StructureType.PipelineShaderStageCreateInfo, Stage = ShaderStageFlags.ComputeBit,
                    Module = module, PName = entryName, PSpecializationInfo = &specInfo,
                },
            };
            Pipeline pipeline;
            VulkanException.Check(_device.Vk.CreateComputePipelines(_device.Handle, _device.PipelineCache.Handle, 1, &info, null, &pipeline),
                $"vkCreateComputePipelines({shader})");
            _device.CountObject();
            return pipeline;
        }
    }

    public void Dispose()
    {
        foreach (var p in _pipelines.Values) _device.Vk.DestroyPipeline(_device.Handle, p, null);
        foreach (var m in _modules) _device.Vk.DestroyShaderModule(_device.Handle, m, null);
        _device.Vk.DestroyPipelineLayout(_device.Handle, Layout, null);
        _device.Vk.DestroyDescriptorSetLayout(_device.Handle, SetLayout, null);
    }
}
