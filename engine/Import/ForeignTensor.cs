using GpuMobileNet.Graph;

namespace GpuMobileNet.Import;

/// <summary>A tensor an importer computes at run time: one of our per-sample C x H x W values, with the dims the model
/// file gives it (batch 1, in the file's own axis order: ONNX [1, C, H, W], TFLite [1, H, W, C]). The value holds the
/// channels first, unless <see cref="RowMajor"/>: then its memory is the file's row-major order over <see cref="Dims"/>
/// (a reshape or a concatenation on another axis left it so; ops that need channels first convert it).</summary>
internal sealed record ForeignTensor(Value Value, long[] Dims, bool RowMajor = false)
{
    /// <summary>How many dims the file gives the tensor.</summary>
    public int Rank => Dims.Length;

    /// <summary>One dim as a size of ours (an int: the importers bound dims far below 2^31).</summary>
    public int Dim(int axis) => checked((int)Dims[axis]);

    /// <summary>A channels-first value as the file's [1, C, H, W] (rank 4) or [1, C] (rank 2; a C x 1 x 1 value).</summary>
    public static ForeignTensor ChannelsFirst(Value v, int rank) =>
        new(v, rank == 4 ? [1, v.Shape.C, v.Shape.H, v.Shape.W] : [1, v.Shape.C]);

    /// <summary>A channels-first value as the file's [1, H, W, C].</summary>
    public static ForeignTensor ChannelsLast(Value v) => new(v, [1, v.Shape.H, v.Shape.W, v.Shape.C]);

    /// <summary>The dims in messages: "[1, 3, 224, 224]".</summary>
    public string Describe => $"[{string.Join(", ", Dims)}]";
}
