using Google.FlatBuffers;

namespace GpuMobileNet.Import.Tflite;

/// <summary>One FlatBuffers table of a TFLite file, read through the runtime's <see cref="Table"/> accessors by field
/// index (the n-th field of a table in schema.fbs sits at vtable offset 4 + 2n). Every vector is checked to lie inside
/// the buffer before it is read, so a corrupt or hostile file fails with a <see cref="TfliteFormatException"/> instead of
/// a huge allocation; the runtime's own bounds checks (ArgumentOutOfRangeException) cover scalar reads.</summary>
internal readonly struct FlatTable
{
    private readonly Table _table;

    public FlatTable(ByteBuffer bytes, int position)
    {
        if (position < 0 || position > bytes.Length - 4)
            throw new TfliteFormatException($"a table offset ({position}) points outside the file");
        _table = new Table(position, bytes);
    }

    /// <summary>The root table: the uint32 at the start of the buffer is its offset.</summary>
    public static FlatTable Root(ByteBuffer bytes)
    {
        if (bytes.Length < 8) throw new TfliteFormatException($"{bytes.Length} bytes is too short for a FlatBuffer");
        return new FlatTable(bytes, checked(bytes.GetInt(0) + 0));
    }

    private ByteBuffer Bytes => _table.bb;

    /// <summary>The field's offset from the table start, 0 when the field is absent (its default applies).</summary>
    private int Field(int index) => _table.__offset(4 + 2 * index);

    public bool Has(int index) => Field(index) != 0;

    public int Int(int index, int fallback = 0)
    {
        int o = Field(index);
        return o == 0 ? fallback : Bytes.GetInt(_table.bb_pos + o);
    }

    public uint UInt(int index, uint fallback = 0)
    {
        int o = Field(index);
        return o == 0 ? fallback : Bytes.GetUint(_table.bb_pos + o);
    }

    public byte Byte(int index, byte fallback = 0)
    {
        int o = Field(index);
        return o == 0 ? fallback : Bytes.Get(_table.bb_pos + o);
    }

    public bool Bool(int index, bool fallback = false) => Byte(index, fallback ? (byte)1 : (byte)0) != 0;

    public float Float(int index, float fallback = 0)
    {
        int o = Field(index);
        return o == 0 ? fallback : Bytes.GetFloat(_table.bb_pos + o);
    }

    public string? String(int index)
    {
        int o = Field(index);
        if (o == 0) return null;
        var (start, length) = Vector(o, 1);
        return System.Text.Encoding.UTF8.GetString(Bytes.ToArraySegment(start, length));
    }

    /// <summary>A sub-table field, or null when absent.</summary>
    public FlatTable? Table(int index)
    {
        int o = Field(index);
        return o == 0 ? null : new FlatTable(Bytes, _table.__indirect(_table.bb_pos + o));
    }

    /// <summary>The number of elements of a vector field (0 when absent).</summary>
    public int Length(int index, int elementBytes = 4)
    {
        int o = Field(index);
        return o == 0 ? 0 : Vector(o, elementBytes).Length;
    }

    /// <summary>Element <paramref name="i"/> of a vector-of-tables field.</summary>
    public FlatTable TableAt(int index, int i)
    {
        int o = Field(index);
        var (start, length) = Vector(o, 4);
        if ((uint)i >= (uint)length) throw new TfliteFormatException($"table vector index {i} is outside its {length} elements");
        int at = start + 4 * i;
        return new FlatTable(Bytes, _table.__indirect(at));
    }

    public int[] Ints(int index)
    {
        int o = Field(index);
        if (o == 0) return [];
        var (start, length) = Vector(o, 4);
        var result = new int[length];
        for (int i = 0; i < length; i++) result[i] = Bytes.GetInt(start + 4 * i);
        return result;
    }

    /// <summary>A [ubyte] vector field as a view of the file's bytes (no copy), empty when absent.</summary>
    public ReadOnlySpan<byte> ByteVector(int index)
    {
        int o = Field(index);
        if (o == 0) return [];
        var (start, length) = Vector(o, 1);
        return Bytes.ToArraySegment(start, length).AsSpan();
    }

    /// <summary>Start and element count of the vector a field points at, checked to lie inside the buffer.</summary>
    private (int Start, int Length) Vector(int fieldOffset, int elementBytes)
    {
        int start = _table.__vector(fieldOffset);
        int length = _table.__vector_len(fieldOffset);
        if (start < 4 || length < 0 || start > Bytes.Length || (long)length * elementBytes > Bytes.Length - start)
            throw new TfliteFormatException($"a vector of {length} elements at byte {start} runs past the end of the file ({Bytes.Length} bytes)");
        return (start, length);
    }
}

/// <summary>A structural flaw in a FlatBuffer (offset or vector outside the file); the importer adds the file name.</summary>
internal sealed class TfliteFormatException(string message) : Exception(message);
