using GpuMobileNet.Graph;

namespace GpuMobileNet.Ops;

/// <summary>What the channel-packing pass (<see cref="Passes.PackChannels"/>) offers a provider that rewrites its op to
/// run on NC4HW4 tensors (<see cref="OpProvider{TOp}.WithPackedTensors"/>): which values exist packed by now and their
/// packed forms. Asking for a packed form that does not exist yet inserts the conversion that makes it.</summary>
internal interface IChannelPacking
{
    /// <summary>The graph being packed, for an op whose choice depends on who reads its output.</summary>
    ModelGraph Graph { get; }

    /// <summary>Whether the packed form of <paramref name="v"/> exists by now (without making it).</summary>
    bool IsPacked(Value v);

    /// <summary>The packed form of <paramref name="v"/>, packing it here if it only exists as NCHW.</summary>
    Value Packed(Value v);

    /// <summary>Makes the original (NCHW) <paramref name="v"/> exist, unpacking it here if only its packed form does.</summary>
    void EnsurePlanar(Value v);

    /// <summary>A packed op's output: a new value with <paramref name="v"/>'s name, shape and the packed layout.</summary>
    Value ProducedPacked(Value v);

    /// <summary>A packed op's output padded to whole channel quads (the op writes 1 to 3 channels more than
    /// <paramref name="v"/> has, values no reader sees): the readers of <paramref name="v"/> get it unpacked with the
    /// padding dropped; <paramref name="v"/> does not count as packed.</summary>
    Value ProducedPackedPadded(Value v);
}
