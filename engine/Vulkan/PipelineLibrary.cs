using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
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
/// sessions on the device. Pipelines of different keys are created concurrently (a CPU implementation such as lavapipe
/// compiles each at creation, on the calling thread): <see cref="CreateAllAsync"/> creates a session's set on every core.</summary>
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
    // Lazy: one creation per key even when several threads ask at once, while other keys are created beside it.
    private readonly ConcurrentDictionary<string, Lazy<Pipeline>> _pipelines = new();
    private readonly ConcurrentDictionary<string, Lazy<ShaderModule>> _moduleByName = new();
    private readonly ConcurrentQueue<ShaderModule> _modules = new();
    // Batch creations still running: Dispose waits for them (a creation must not outlive the device).
    private readonly ConcurrentQueue<Task> _batches = new();

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
        var key = Key(shader, specConstants);
        if (_pipelines.TryGetValue(key, out var existing)) return existing.Value;
        var spec = specConstants.ToArray();
        return Created(_pipelines, key, () => Create(shader, spec));
    }

    /// <summary>Creates the pipelines of <paramref name="kernels"/> (shader, specialization constants) that do not exist
    /// yet, each once, on up to one thread per core; completes when all exist (faulted with the first failure), also
    /// those another thread was creating.</summary>
    public Task CreateAllAsync(IEnumerable<(string Shader, int[] SpecConstants)> kernels)
    {
        var missing = kernels.DistinctBy(k => Key(k.Shader, k.SpecConstants))
            .Where(k => !(_pipelines.TryGetValue(Key(k.Shader, k.SpecConstants), out var p) && p.IsValueCreated)).ToList();
        if (missing.Count == 0) return Task.CompletedTask;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        var batch = Task.Run(() =>
        {
            try
            {
                Parallel.ForEach(missing, options, k => Get(k.Shader, k.SpecConstants));
            }
            catch (AggregateException e)
            {
                // The error as a serial creation would have thrown it (a VulkanException naming the kernel).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        });
        _batches.Enqueue(batch);
        return batch;
    }

    /// <summary>The (kernel, constants) of every pipeline created so far, as "shader:c0,c1,...".</summary>
    public IReadOnlyList<string> CreatedKeys => [.. _pipelines.Where(p => p.Value.IsValueCreated).Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <summary>The shader and constants of a key of <see cref="CreatedKeys"/>, or null if it is not one.</summary>
    public static (string Shader, int[] SpecConstants)? ParseKey(string key)
    {
        int colon = key.LastIndexOf(':');
        if (colon <= 0) return null;
        var parts = key[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out values[i])) return null;
        return (key[..colon], values);
    }

    /// <summary>Whether the pipeline of this key exists (or is being created).</summary>
    internal bool Has(string shader, ReadOnlySpan<int> specConstants) => _pipelines.ContainsKey(Key(shader, specConstants));

    private static string Key(string shader, ReadOnlySpan<int> specConstants) => shader + ":" + string.Join(',', specConstants.ToArray());

    /// <summary>The value of <paramref name="key"/>, created by <paramref name="create"/> by the first thread that asks; a
    /// failed creation is forgotten, so a later call tries again and reports its own error.</summary>
    // (The annotation is Lazy<T>'s own: the NativeAOT build of libgpumobilenet checks it.)
    private static T Created<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(
        ConcurrentDictionary<string, Lazy<T>> map, string key, Func<T> create)
    {
        var lazy = map.GetOrAdd(key, _ => new Lazy<T>(create, LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            map.TryRemove(new KeyValuePair<string, Lazy<T>>(key, lazy));
            throw;
        }
    }

    private Pipeline Create(string shader, int[] spec)
    {
        using var phase = Runtime.PhaseLog.Measure("pipeline creation");
        return _device.KernelLanguage == ShaderLanguage.Hlsl && !_device.KernelOverrides.ContainsKey(shader)
            ? Create(HlslModule(shader, spec), [], shader)
            : Create(Module(shader), spec, shader);
    }

    private ShaderModule Module(string shader) => Created(_moduleByName, shader, () =>
        CreateModule(_device.KernelOverrides.TryGetValue(shader, out var replaced) ? replaced : ShaderLibrary.Get(shader), shader));

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
        _modules.Enqueue(module);
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
        foreach (var batch in _batches)
        {
            try { batch.Wait(); }
            catch (AggregateException) { } // reported to whoever awaited it; here only its end matters
        }
        foreach (var p in _pipelines.Values.Where(p => p.IsValueCreated)) _device.Vk.DestroyPipeline(_device.Handle, p.Value, null);
        foreach (var m in _modules) _device.Vk.DestroyShaderModule(_device.Handle, m, null);
        _device.Vk.DestroyPipelineLayout(_device.Handle, Layout, null);
        _device.Vk.DestroyDescriptorSetLayout(_device.Handle, SetLayout, null);
    }
}
