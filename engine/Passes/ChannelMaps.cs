namespace GpuMobileNet.Passes;

/// <summary>Weight and channel-table rearrangements shared by <see cref="FoldChannelViews"/> and <see cref="QuadPadding"/>.</summary>
internal static class ChannelMaps
{
    /// <summary>A [rows][columnSource.Length] matrix whose column k is column columnSource[k] of the [rows][columns]
    /// matrix <paramref name="w"/>, or zeros where columnSource[k] is -1.</summary>
    public static float[] Columns(float[] w, int rows, int columns, int[] columnSource)
    {
        var result = new float[rows * columnSource.Length];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < columnSource.Length; k++)
                if (columnSource[k] >= 0) result[r * columnSource.Length + k] = w[r * columns + columnSource[k]];
        return result;
    }

    /// <summary>Rows of <paramref name="rowSize"/> elements: row k of the result is row rowSource[k] of
    /// <paramref name="w"/>, or zeros where rowSource[k] is -1.</summary>
    public static float[] Rows(float[] w, int rowSize, int[] rowSource)
    {
        var result = new float[rowSize * rowSource.Length];
        for (int k = 0; k < rowSource.Length; k++)
            if (rowSource[k] >= 0) Array.Copy(w, rowSource[k] * rowSize, result, k * rowSize, rowSize);
        return result;
    }

    /// <summary>0, 1, ..., n - 1 followed by -1 up to the next multiple of 4.</summary>
    public static int[] PaddedIdentity(int n) => [.. Enumerable.Range(0, n), .. Enumerable.Repeat(-1, Quads(n) - n)];

    /// <summary><paramref name="n"/> rounded up to a multiple of 4.</summary>
    public static int Quads(int n) => (n + 3) / 4 * 4;
}
