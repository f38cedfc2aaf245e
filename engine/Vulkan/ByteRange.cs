namespace GpuMobileNet.Vulkan;

/// <summary>A range of bytes in a buffer that a dispatch reads or writes; used to place barriers.</summary>
internal readonly record struct ByteRange(ulong Offset, ulong Length)
{
    public ulong End => Offset + Length;
    public bool Overlaps(ByteRange other) => Offset < other.End && other.Offset < End;
}
