namespace GpuMobileNet.Planning;

/// <summary>Packs the weights of a session into pages, one immutable GPU buffer each. Kernels add their weights in
/// whatever layout they read, so each kernel can repack (transpose, tile, split into chunks). Every block starts at a
/// multiple of <see cref="AlignmentElements"/>, which also satisfies the device's uniform-buffer offset alignment, so
/// any block can be bound as a uniform-buffer window.
/// A page holds at most <see cref="PageCapacity"/> elements (one storage-buffer binding's range on the device): offsets
/// are relative to the page they are in, and every weight of one node goes in the same page, so a dispatch binds that
/// page (<see cref="Kernels.KernelSelector"/> moves a node that overflows the current page to a fresh one).</summary>
internal sealed class WeightPacker(int alignmentElements = MemoryPlan.Alignment, long pageCapacity = long.MaxValue)
{
    private readonly List<float[]> _blocks = [];
    private readonly List<(int Page, long Offset)> _places = [];
    private readonly List<long> _pageEnds = [0];

    public int AlignmentElements { get; } = Math.Max(alignmentElements, MemoryPlan.Alignment);

    /// <summary>Elements one page may hold.</summary>
    public long PageCapacity { get; } = pageCapacity;

    /// <summary>The page blocks are added to now.</summary>
    public int Page => _pageEnds.Count - 1;

    /// <summary>Pages so far (the current one included).</summary>
    public int Pages => _pageEnds.Count;

    /// <summary>Elements of every page, their alignment padding included.</summary>
    public long Elements => _pageEnds.Sum();

    /// <summary>Whether the current page holds more than <see cref="PageCapacity"/>.</summary>
    public bool PageOverflows => _pageEnds[^1] > PageCapacity;

    /// <summary>Appends a copy of <paramref name="data"/> to the current page and returns its element offset there.</summary>
    public long Add(ReadOnlySpan<float> data)
    {
        long at = _pageEnds[^1];
        _blocks.Add(data.ToArray());
        _places.Add((Page, at));
        _pageEnds[^1] = (at + data.Length + AlignmentElements - 1) / AlignmentElements * AlignmentElements;
        return at;
    }

    /// <summary>Where the packer stands, for <see cref="MoveToNewPage"/>.</summary>
    public (int Blocks, long PageEnd) Mark() => (_blocks.Count, _pageEnds[^1]);

    /// <summary>Drops the blocks added since <paramref name="mark"/> (a node whose weights overflowed the page) and
    /// opens a new page for them.</summary>
    public void MoveToNewPage((int Blocks, long PageEnd) mark)
    {
        _blocks.RemoveRange(mark.Blocks, _blocks.Count - mark.Blocks);
        _places.RemoveRange(mark.Blocks, _places.Count - mark.Blocks);
        _pageEnds[^1] = mark.PageEnd;
        _pageEnds.Add(0);
    }

    /// <summary>Every page's blocks in one array per page, each followed by <paramref name="tailPadding"/> zeros (a
    /// uniform-buffer window bound at the last block must still lie inside the buffer). Ends the packing: each block is
    /// let go once copied, so VGG-16's 553 MB are held about once, not twice.</summary>
    public float[][] ToArrays(int tailPadding = 0)
    {
        var pages = new float[Pages][];
        // Blocks are in page order, so a page's array is made as its first block comes.
        float[] PageArray(int p) => pages[p] ??= new float[Math.Max(_pageEnds[p] + tailPadding, 1)];
        for (int i = 0; i < _blocks.Count; i++)
        {
            _blocks[i].CopyTo(PageArray(_places[i].Page), _places[i].Offset);
            _blocks[i] = [];
        }
        for (int p = 0; p < pages.Length; p++) PageArray(p);
        return pages;
    }
}
