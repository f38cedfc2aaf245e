using GpuMobileNet.Graph;
using GpuMobileNet.Planning;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>What a kernel needs to turn a graph op into a dispatch: where each tensor and weight lives,
/// and the batch size. Offsets are in elements (floats).</summary>
public sealed class KernelContext(MemoryPlan memory, WeightLayout weights, int batch)
{
    public const int WorkgroupSize = 64;

    public int Batch { get; } = batch;
    public MemoryPlan Memory { get; } = memory;
    public WeightLayout Weights { get; } = weights;

    public uint Offset(Value v) => checked((uint)Memory.OffsetOf(v));
    public ByteRange Bytes(Value v) => new((ulong)Memory.OffsetOf(v) * 4, (ulong)v.Shape.Elements * (ulong)Batch * 4);

    public uint WeightOffset(Node n) => checked((uint)Weights.WeightsOf(n));
    public uint BiasOffset(Node n) => checked((uint)Weights.BiasOf(n));

    public static uint Groups(long work, int perGroup) => checked((uint)((work + perGroup - 1) / perGroup));
    public static int Flag(bool b) => b ? 1 : 0;
}
