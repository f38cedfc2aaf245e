using GpuMobileNet.Graph;
using GpuMobileNet.Planning;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>What a kernel needs to turn a graph op into a dispatch: where each tensor and weight lives,
/// and the batch size. Offsets are in elements (floats).</summary>
internal sealed class KernelContext(MemoryPlan memory, WeightPacker weights, int batch, int uniformWindowElements, int activationBytes = 4,
    int broadcastSubgroupSize = 0, long texelReachElements = long.MaxValue, DeviceKind deviceKind = DeviceKind.Cpu)
{
    public const int WorkgroupSize = 64;

    public int Batch { get; } = batch;
    public MemoryPlan Memory { get; } = memory;
    public WeightPacker Weights { get; } = weights;

    /// <summary>Size of the uniform-buffer window over the weights a dispatch may bind (the device's
    /// maxUniformBufferRange, at most 64 KiB): kernels that read weights as uniforms split their work so
    /// each dispatch's weights fit in it.</summary>
    public int UniformWindowElements { get; } = uniformWindowElements;

    /// <summary>Bytes per activation element: 4 for fp32, 2 for fp16 storage.</summary>
    public int ActivationBytes { get; } = activationBytes;

    /// <summary>The device's subgroup size where compute shaders may use subgroupBroadcast, else 0.</summary>
    public int BroadcastSubgroupSize { get; } = broadcastSubgroupSize;

    /// <summary>Elements of the arena and of the weights that the texel-buffer views (bindings 4 and 5) reach: 4 x the
    /// device's maxTexelBufferElements (128M texels on lavapipe and desktop GPUs, 64K on some mobile ones).</summary>
    public long TexelReachElements { get; } = texelReachElements;

    /// <summary>The kind of device the kernels run on, for kernels with variants per kind.</summary>
    public DeviceKind DeviceKind { get; } = deviceKind;

    /// <summary>Whether <paramref name="v"/>, all batch items, lies within the arena's texel view.</summary>
    public bool TexelsReach(Value v) => Memory.OffsetOf(v) + (long)v.Shape.Elements * Batch <= TexelReachElements;

    /// <summary>Whether the weights at element <paramref name="offset"/> of <paramref name="count"/> elements lie within
    /// the weights' texel view.</summary>
    public bool TexelsReach(long offset, long count) => offset + count <= TexelReachElements;

    /// <summary>Whether weight elements [offset, offset + count) lie within the snorm byte view (binding 6), whose texels
    /// are one element (4 bytes) each: a quarter of the vec4 view's reach.</summary>
    public bool ByteTexelsReach(long offset, long count) => offset + count <= TexelReachElements / 4;

    /// <summary>Throws, naming <paramref name="op"/>, unless its tensors and its weights at
    /// <paramref name="weightsOffset"/> (<paramref name="weightsCount"/> elements) lie within the texel views.</summary>
    public void RequireTexels(Graph.Node op, long weightsOffset, long weightsCount)
    {
        var outside = op.Inputs.Where(v => !TexelsReach(v)).Select(v => v.Name).ToList();
        if (!TexelsReach(weightsOffset, weightsCount)) outside.Add("its weights");
        if (outside.Count > 0)
            throw new NotSupportedException($"{op}: {string.Join(", ", outside)} lie beyond the {TexelReachElements / 4} texels the device's " +
                "texel buffers reach (maxTexelBufferElements); set PassOptions.PackChannels = false");
    }

    /// <summary>The scratch region the memory plan reserved for <paramref name="node"/>'s kernels (live during its
    /// dispatches only; <see cref="KernelSelector.ScratchElements"/> says how large).</summary>
    public Value Scratch(Graph.Node node) => Memory.ScratchOf(node);

    public uint Offset(Value v) => checked((uint)Memory.OffsetOf(v));
    public ByteRange Bytes(Value v) => new((ulong)Memory.OffsetOf(v) * (ulong)ActivationBytes, (ulong)v.Shape.Elements * (ulong)Batch * (ulong)ActivationBytes);

    /// <summary>The bytes of channels [first, first+count) of every batch item: what a dispatch covering part
    /// of a layer writes, so the next part needs no barrier against it.</summary>
    public ByteRange[] ChannelBytes(Value v, int first, int count)
    {
        ulong plane = (ulong)v.Shape.H * (ulong)v.Shape.W * (ulong)ActivationBytes;
        ulong sample = (ulong)v.Shape.Elements * (ulong)ActivationBytes;
        ulong start = (ulong)Memory.OffsetOf(v) * (ulong)ActivationBytes + (ulong)first * plane;
        return Enumerable.Range(0, Batch).Select(n => new ByteRange(start + (ulong)n * sample, (ulong)count * plane)).ToArray();
    }

    /// <summary>Adds weights to the session's weight buffer; returns their element offset (0 for null).</summary>
    public uint AddWeights(float[]? data) => data is null ? 0 : checked((uint)Weights.Add(data));

    /// <summary>Workgroup size for a grid of <paramref name="work"/> invocations: small images (7x7 layers) get
    /// small workgroups, a multiple of 8 (lavapipe's subgroup), so few lanes idle.</summary>
    public static int LocalSizeFor(int work) => Math.Min(WorkgroupSize, (work + 7) / 8 * 8);

    public static uint Groups(long work, int perGroup) => checked((uint)((work + perGroup - 1) / perGroup));
    public static int Flag(bool b) => b ? 1 : 0;
}
