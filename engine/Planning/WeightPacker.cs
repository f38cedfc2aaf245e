namespace GpuMobileNet.Planning;

/// <summary>Packs the weights of a session into one array (one immutable GPU buffer). Kernels add their
/// weights in whatever layout they read, so each kernel can repack (transpose, tile, split into chunks).
/// Every block starts at a multiple of <see cref="AlignmentElements"/>, which also satisfies the device's
/// uniform-buffer offset alignment, so any block can be bound as a uniform-buffer window.</summary>
internal sealed class WeightPacker(int alignmentElements = MemoryPlan.Alignment)
{
    private readonly List<float[]> _blocks = [];
    private readonly List<long> _offsets = [];
    private long _next;

    public int AlignmentElements { get; } = Math.Max(alignmentElements, MemoryPlan.Alignment);
    public long Elements => _next;

    /// <summary>Appends a copy of <paramref name="data"/> and returns its element offset.</summary>
    public long Add(ReadOnlySpan<float> data)
    {
        long at = _next;
        _blocks.Add(data.ToArray());
        _offsets.Add(at);
        _next = (at + data.Length + AlignmentElements - 1) / AlignmentElements * AlignmentElements;
        return at;
    }

    /// <summary>All blocks in one array, followed by <paramref name="tailPadding"/> zeros (a uniform-buffer
    /// window bound at the last block must still lie inside the buffer).</summary>
    public float[] ToArray(int tailPadding = 0)
    {
        var data = new float[Math.Max(_next + tailPadding, 1)];
        for (int i = 0; i < _blocks.Count; i++) _blocks[i].CopyTo(data, _offsets[i]);
        return data;
    }
}
