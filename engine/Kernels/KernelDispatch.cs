using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>Everything needed to record one dispatch: which SPIR-V, its specialization constants
/// (index = constant_id, 0 = workgroup size), the push-constant offsets, the grid, and the arena bytes
/// it reads and writes (for barrier placement).</summary>
public sealed record KernelDispatch(
    string Label, string Shader, int[] SpecConstants, PushOffsets Push,
    (uint X, uint Y, uint Z) Groups, ByteRange[] Reads, ByteRange Write);

/// <summary>Element offsets of a dispatch's tensors; mirrors the push_constant block in shaders/include/common.glsl.</summary>
public readonly record struct PushOffsets(uint In0, uint In1, uint Out0, uint Weights, uint Bias)
{
    public uint[] ToArray() => [In0, In1, Out0, Weights, Bias];
}
