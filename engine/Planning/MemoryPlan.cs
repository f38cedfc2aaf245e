using GpuMobileNet.Graph;

namespace GpuMobileNet.Planning;

/// <summary>Where each activation lives in the session's one arena buffer: an element offset per value
/// (values that alias, like a Flatten's output, share their source's offset).</summary>
internal sealed class MemoryPlan(IReadOnlyDictionary<Value, long> offsets, long arenaElements, int batch, Liveness? liveness = null)
{
    /// <summary>Offsets are multiples of this many elements (64 bytes), so vec4 and fp16 views stay aligned.</summary>
    public const int Alignment = 16;

    public IReadOnlyDictionary<Value, long> Offsets { get; } = offsets;
    public long ArenaElements { get; } = arenaElements;
    public long ArenaBytes => ArenaElements * 4;
    public int Batch { get; } = batch;

    /// <summary>The liveness (with its in-place decisions) the plan was made from; <see cref="MemoryReport"/>
    /// measures the plan against it. Null for a plan built by hand.</summary>
    public Liveness? Liveness { get; } = liveness;

    public long OffsetOf(Value v) => Offsets.TryGetValue(v, out var o) ? o
        : throw new KeyNotFoundException($"value '{v.Name}' has no place in the memory plan");

    /// <summary>Where <paramref name="node"/>'s kernels keep their scratch (see <see cref="Liveness.ScratchOf"/>).</summary>
    public Value ScratchOf(Node node) => Liveness?.ScratchOf(node)
        ?? throw new KeyNotFoundException($"{node} has no scratch region in the memory plan");

    public static long Align(long elements) => (elements + Alignment - 1) / Alignment * Alignment;
}
