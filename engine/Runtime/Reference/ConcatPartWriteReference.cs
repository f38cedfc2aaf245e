using GpuMobileNet.Tensors;

namespace GpuMobileNet.Runtime.Reference;

/// <summary>A <see cref="Graph.Ops.ConcatPartWriteOp"/> done the obvious way: the part, computed by its own op's
/// reference, copied into its channels of a copy of the buffer so far (zeros for the first writer).</summary>
internal static class ConcatPartWriteReference
{
    /// <summary>Channels [first, first + part.C) of every batch item of (a copy of) <paramref name="into"/> replaced by
    /// <paramref name="part"/>; NCHW, <paramref name="batch"/> items back to back.</summary>
    public static float[] Place(float[] part, TensorShape partShape, float[]? into, TensorShape buffer, int first, int batch)
    {
        var result = into is null ? new float[batch * buffer.Elements] : (float[])into.Clone();
        int plane = buffer.H * buffer.W;
        for (int n = 0; n < batch; n++)
            Array.Copy(part, n * partShape.Elements, result, n * buffer.Elements + first * plane, partShape.Elements);
        return result;
    }
}
