using GpuMobileNet.Graph;

namespace GpuMobileNet.Import.Onnx;

/// <summary>An ONNX tensor computed at run time, bound to one of our per-sample C x H x W values. Rank 4 is ONNX's
/// [N, C, H, W]; rank 2 is [N, C] held as a C x 1 x 1 value (what Flatten, Gemm and a classifier Softmax make).
/// A <see cref="View"/> is any other shape [1, ...] over the value's memory in row-major order (a detection head
/// reshaped to [1, anchors, 16]): element-wise ops, reshapes, concatenation on axis 1 and outputs accept it.</summary>
internal readonly record struct RuntimeTensor(Value Value, int Rank, long[]? View = null)
{
    /// <summary>The ONNX dims with batch 1, which is what the shape arithmetic is folded with.</summary>
    public long[] Dims => View ?? (Rank == 4 ? [1, Value.Shape.C, Value.Shape.H, Value.Shape.W] : [1, Value.Shape.C]);
}
