using GpuMobileNet.Tensors;

namespace GpuMobileNet.Graph;

/// <summary>One row of <see cref="GraphStats"/>: what a single op costs, per sample.</summary>
internal sealed record NodeStats(string Name, string OpType, TensorShape OutputShape, long Params, long MultiplyAdds);
