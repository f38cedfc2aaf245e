using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>Everything needed to record one dispatch: which SPIR-V, its specialization constants
/// (index = constant_id, 0 = workgroup size), the push-constant offsets, the grid, and the arena bytes
/// it reads and writes (for barrier placement). A layer may need several dispatches.</summary>
internal sealed record KernelDispatch(
    string Label, string Shader, int[] SpecConstants, PushOffsets Push,
    (uint X, uint Y, uint Z) Groups, ByteRange[] Reads, ByteRange[] Writes)
{
    /// <summary>Byte offset of this dispatch's first uniform window over the weight buffer (binding 2).</summary>
    public uint UniformWindowOffsetBytes { get; init; }

    /// <summary>Byte offset of the second uniform window (binding 3), for kernels that read two weight sets.</summary>
    public uint UniformWindow2OffsetBytes { get; init; }

    /// <summary>The graph op this dispatch runs (all or part of).</summary>
    public Graph.Node? Source { get; init; }

    /// <summary>Share of <see cref="Source"/>'s work done by this dispatch (1 unless a layer is split).</summary>
    public double Fraction { get; init; } = 1;
}

/// <summary>Element offsets of a dispatch's tensors; mirrors the push_constant block in shaders/include/common.glsl.</summary>
internal readonly record struct PushOffsets(uint In0, uint In1, uint Out0, uint Weights, uint Bias, uint Aux0 = 0, uint Aux1 = 0, uint Aux2 = 0)
{
    public uint[] ToArray() => [In0, In1, Out0, Weights, Bias, Aux0, Aux1, Aux2];
}
