namespace GpuMobileNet.Import.Onnx;

/// <summary>A tensor whose values are known at load time (an initializer, a Constant, or the result of folding
/// the shape arithmetic exporters emit). Floating-point data is kept as float, integer and boolean data as long,
/// so shape arithmetic is exact and weights take no more memory than in the file.</summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(long[] dims, float[]? floats, long[]? ints)
    {
        Dims = dims;
        Floats = floats;
        Ints = ints;
    }

    public long[] Dims { get; }
    public float[]? Floats { get; }
    public long[]? Ints { get; }
    public bool IsFloat => Floats is not null;
    public int Rank => Dims.Length;
    public long Count => IsFloat ? Floats!.Length : Ints!.Length;
    public double this[long i] => IsFloat ? Floats![i] : Ints![i];

    public static OnnxTensor OfFloats(long[] dims, float[] data) => new(dims, data, null);
    public static OnnxTensor OfInts(long[] dims, long[] data) => new(dims, null, data);
    public static OnnxTensor Scalar(long v) => new([], null, [v]);
    public static OnnxTensor Vector(params long[] v) => new([v.Length], null, v);

    /// <summary>A stand-in carrying only dims (no data), for ops that read nothing but the shape.</summary>
    public static OnnxTensor DimsOnly(long[] dims) => new(dims, null, []);

    /// <summary>Same kind of data as this tensor (float or integer), from doubles.</summary>
    public OnnxTensor Like(long[] dims, double[] values) => IsFloat
        ? OfFloats(dims, values.Select(v => (float)v).ToArray())
        : OfInts(dims, values.Select(v => (long)v).ToArray());

    public OnnxTensor Reshaped(long[] dims) => new(dims, Floats, Ints);

    public long[] AsLongs() => Ints ?? Floats!.Select(f => (long)f).ToArray();
    public float[] AsFloats() => Floats ?? Ints!.Select(i => (float)i).ToArray();

    /// <summary>Whether every element equals <paramref name="v"/> (true for an empty tensor).</summary>
    public bool All(double v)
    {
        for (long i = 0; i < Count; i++)
            if (this[i] != v) return false;
        return true;
    }

    public override string ToString() => $"[{string.Join(", ", Dims)}] {(IsFloat ? "float" : "int")}";
}
