using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>Everything needed to record one dispatch: which kernel, its specialisation constants, the push-constant
/// offsets, the grid, and the arena bytes it reads and writes (for barrier placement). A layer may need several
/// dispatches. Made by <see cref="Create{TConstants}"/>, which ties the constants' type to the kernel's.</summary>
internal sealed record KernelDispatch
{
    private KernelDispatch(string label, KernelId kernel, ISpecConstants constants, int[] words, PushOffsets push,
        (uint X, uint Y, uint Z) groups, ByteRange[] reads, ByteRange[] writes) =>
        (Label, Kernel, Constants, SpecConstants, Push, Groups, Reads, Writes) = (label, kernel, constants, words, push, groups, reads, writes);

    /// <summary>A dispatch of <paramref name="kernel"/> specialised with <paramref name="constants"/>.</summary>
    public static KernelDispatch Create<TConstants>(string label, KernelId<TConstants> kernel, TConstants constants, PushOffsets push,
        (uint X, uint Y, uint Z) groups, ByteRange[] reads, ByteRange[] writes) where TConstants : unmanaged, ISpecConstants =>
        new(label, kernel, constants, Kernels.SpecConstants.Pack(constants), push, groups, reads, writes);

    /// <summary>What the dispatch is called in timings and errors: the layer's name, and its part where it is split.</summary>
    public string Label { get; init; }

    /// <summary>The kernel this dispatch runs.</summary>
    public KernelId Kernel { get; }

    /// <summary>The kernel's specialisation constants (a struct of <see cref="KernelId.ConstantsType"/>).</summary>
    public ISpecConstants Constants { get; }

    /// <summary>The shader's name (shaders/&lt;Shader&gt;.comp).</summary>
    public string Shader => Kernel.Shader;

    /// <summary><see cref="Constants"/> as the words a pipeline is specialised with (index = constant_id).</summary>
    public int[] SpecConstants { get; }

    /// <summary>Element offsets of the dispatch's tensors.</summary>
    public PushOffsets Push { get; init; }

    /// <summary>The grid, in workgroups.</summary>
    public (uint X, uint Y, uint Z) Groups { get; init; }

    /// <summary>Arena bytes the dispatch reads.</summary>
    public ByteRange[] Reads { get; init; }

    /// <summary>Arena bytes the dispatch writes.</summary>
    public ByteRange[] Writes { get; init; }

    /// <summary>Byte offset of this dispatch's first uniform window over the weight buffer (binding 2).</summary>
    public uint UniformWindowOffsetBytes { get; init; }

    /// <summary>Byte offset of the second uniform window (binding 3), for kernels that read two weight sets.</summary>
    public uint UniformWindow2OffsetBytes { get; init; }

    /// <summary>Which of the session's weight buffers (pages, see <see cref="Planning.WeightPacker"/>) this dispatch binds;
    /// its weight offsets and uniform-window offsets are relative to that page.</summary>
    public int WeightPage { get; init; }

    /// <summary>The graph op this dispatch runs (all or part of).</summary>
    public Graph.Node? Source { get; init; }

    /// <summary>Share of <see cref="Source"/>'s work done by this dispatch (1 unless a layer is split).</summary>
    public double Fraction { get; init; } = 1;
}

/// <summary>Element offsets of a dispatch's tensors; mirrors the push_constant block in shaders/include/common.glsl.</summary>
internal readonly record struct PushOffsets(uint In0, uint In1, uint Out0, uint Weights, uint Bias, uint Aux0 = 0, uint Aux1 = 0, uint Aux2 = 0)
{
    /// <summary>The eight words in push-constant order.</summary>
    public uint[] ToArray() => [In0, In1, Out0, Weights, Bias, Aux0, Aux1, Aux2];
}
