using GpuMobileNet.Graph;

namespace GpuMobileNet.Planning;

/// <summary>One region of the arena as liveness sees it: a value, plus every value that is the same memory as it
/// (a Flatten's output aliases its input; an in-place op's output overwrites the input it was allowed to).
/// All members have the same element count, so the region has one size.</summary>
internal sealed class LiveStorage
{
    private readonly List<Value> _values = [];

    internal LiveStorage(int index, Value first, int start, bool pinned)
    {
        Index = index;
        ElementsPerSample = first.Shape.Elements;
        Start = start;
        End = start;
        IsPinned = pinned;
        _values.Add(first);
    }

    /// <summary>Position in <see cref="Liveness.Storages"/> (order of first definition).</summary>
    public int Index { get; }

    /// <summary>Elements of one sample; the region holds this many times the batch.</summary>
    public long ElementsPerSample { get; }

    /// <summary>The values that are this memory, in the order they were defined.</summary>
    public IReadOnlyList<Value> Values => _values;

    public int Start { get; }

    /// <summary>Last step any member is read (or the end of the run for the graph output and input).</summary>
    public int End { get; internal set; }

    /// <summary>True for the graph input's storage: nothing may ever overwrite it.</summary>
    public bool IsPinned { get; }

    public LiveInterval Interval => new(Start, End);

    /// <summary>Elements the region takes in the arena for <paramref name="batch"/> samples, rounded up to
    /// <see cref="MemoryPlan.Alignment"/> because the next region's offset is aligned anyway.</summary>
    public long AlignedElements(int batch) => MemoryPlan.Align(ElementsPerSample * batch);

    internal void Add(Value v) => _values.Add(v);

    public override string ToString() => $"storage {Index} ({string.Join(" = ", _values.Select(v => v.Name))}) {Interval}";
}
