using GpuMobileNet.Tensors;

namespace GpuMobileNet.Planning;

/// <summary>One row of a <see cref="MemoryReport"/>: a node, its output, and the activation bytes live while it runs.</summary>
/// <param name="Step">Index of the node in the graph (its step in the schedule).</param>
/// <param name="OutputBytes">Aligned bytes of the output for the plan's batch (what the arena spends on it).</param>
/// <param name="OutputOffsetBytes">Where the output starts in the arena.</param>
/// <param name="SharesInput">The output is an input's memory: Flatten (alias) or an op planned in place.</param>
/// <param name="LiveBytes">Aligned bytes of every region live at this step (inputs being read, output being
/// written, everything kept for later), each region counted once.</param>
internal sealed record LayerMemory(
    int Step, string Name, string OpType, TensorShape OutputShape,
    long OutputBytes, long OutputOffsetBytes, bool SharesInput, long LiveBytes);
