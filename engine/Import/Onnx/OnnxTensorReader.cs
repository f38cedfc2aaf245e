using System.Buffers.Binary;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.IO;
using DataType = GpuMobileNet.Export.Onnx.Proto.TensorProto.Types.DataType;

namespace GpuMobileNet.Import.Onnx;

/// <summary>Decodes a TensorProto (typed fields, raw_data or external data) into an <see cref="OnnxTensor"/>,
/// checking the element count against the dims before allocating. External data is read only from regular
/// files inside the model's folder.</summary>
internal static class OnnxTensorReader
{
    /// <param name="modelDir">Folder of the model file; null when the model came from bytes (no external data).</param>
    /// <param name="fail">Makes the load exception, given the problem.</param>
    public static OnnxTensor Read(TensorProto t, string? modelDir, Func<string, Exception> fail)
    {
        var dims = t.Dims.ToArray();
        long count = OnnxLimits.Elements(dims, fail);
        var type = (DataType)t.DataType;
        int size = ElementBytes(type) ?? throw fail($"data type {TypeName(t.DataType)} is not supported");

        ReadOnlySpan<byte> raw = default;
        byte[]? external = null;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            external = ReadExternal(t, modelDir, count * size, fail);
            raw = external;
        }
        else if (t.HasRawData)
        {
            if (t.RawData.Length != count * size)
                throw fail($"raw_data has {t.RawData.Length} bytes, shape [{string.Join(", ", dims)}] of {TypeName(t.DataType)} needs {count * size}");
            raw = t.RawData.Span;
        }
        bool fromRaw = external is not null || t.HasRawData;
        int n = (int)count;

        switch (type)
        {
            case DataType.Float:
            {
                var data = new float[n];
                if (fromRaw) for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                else { Expect(t.FloatData.Count, n, "float_data", fail); t.FloatData.CopyTo(data, 0); }
                return OnnxTensor.OfFloats(dims, data);
            }
            case DataType.Double:
            {
                var data = new float[n];
                if (fromRaw) for (int i = 0; i < n; i++) data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
                else { Expect(t.DoubleData.Count, n, "double_data", fail); for (int i = 0; i < n; i++) data[i] = (float)t.DoubleData[i]; }
                return OnnxTensor.OfFloats(dims, data);
            }
            case DataType.Float16 or DataType.Bfloat16:
            {
                var data = new float[n];
                if (!fromRaw) Expect(t.Int32Data.Count, n, "int32_data", fail);
                for (int i = 0; i < n; i++)
                {
                    ushort bits = fromRaw ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) : (ushort)t.Int32Data[i];
                    data[i] = type == DataType.Float16 ? (float)BitConverter.UInt16BitsToHalf(bits) : BitConverter.Int32BitsToSingle(bits << 16);
                }
                return OnnxTensor.OfFloats(dims, data);
            }
            case DataType.Int64:
            {
                var data = new long[n];
                if (fromRaw) for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
                else { Expect(t.Int64Data.Count, n, "int64_data", fail); t.Int64Data.CopyTo(data, 0); }
                return OnnxTensor.OfInts(dims, data);
            }
            case DataType.Uint64 or DataType.Uint32:
            {
                var data = new long[n];
                if (!fromRaw) Expect(t.Uint64Data.Count, n, "uint64_data", fail);
                for (int i = 0; i < n; i++)
                    data[i] = !fromRaw ? (long)t.Uint64Data[i]
                        : size == 8 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(raw[(i * 8)..]) : BinaryPrimitives.ReadUInt32LittleEndian(raw[(i * 4)..]);
                return OnnxTensor.OfInts(dims, data);
            }
            default: // INT32, INT16, UINT16, INT8, UINT8, BOOL: int32_data holds one element per entry.
            {
                var data = new long[n];
                if (!fromRaw) Expect(t.Int32Data.Count, n, "int32_data", fail);
                for (int i = 0; i < n; i++)
                    data[i] = !fromRaw ? t.Int32Data[i] : type switch
                    {
                        DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]),
                        DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(i * 2)..]),
                        DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]),
                        DataType.Int8 => (sbyte)raw[i],
                        _ => raw[i],
                    };
                return OnnxTensor.OfInts(dims, data);
            }
        }
    }

    public static int? ElementBytes(DataType type) => type switch
    {
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        DataType.Double or DataType.Int64 or DataType.Uint64 => 8,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 2,
        DataType.Int8 or DataType.Uint8 or DataType.Bool => 1,
        _ => null,
    };

    public static bool IsFloatType(long type) =>
        (DataType)type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;

    public static string TypeName(long type) =>
        Enum.IsDefined(typeof(DataType), (int)type) ? ((DataType)(int)type).ToString().ToUpperInvariant() : type.ToString();

    private static void Expect(int have, int want, string field, Func<string, Exception> fail)
    {
        if (have != want) throw fail($"{field} has {have} values, the dims need {want}");
    }

    /// <summary>Reads the bytes named by external_data (location, offset, length) from a regular file inside
    /// <paramref name="modelDir"/>; absolute paths, paths that leave the folder and links are refused.</summary>
    private static byte[] ReadExternal(TensorProto t, string? modelDir, long bytes, Func<string, Exception> fail)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var e in t.ExternalData)
        {
            switch (e.Key)
            {
                case "location": location = e.Value; break;
                case "offset": offset = ParseLong(e.Value, "offset", fail); break;
                case "length": length = ParseLong(e.Value, "length", fail); break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw fail("external data has no location");
        if (modelDir is null) throw fail($"external data '{location}' cannot be read: the model was not loaded from a file");
        if (Path.IsPathRooted(location) || location.Contains(':'))
            throw fail($"external data path '{location}' is absolute; it must be relative to the model's folder");
        string root = Path.GetFullPath(modelDir);
        string path = Path.GetFullPath(Path.Combine(root, location));
        if (!path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw fail($"external data path '{location}' leaves the model's folder");
        // A link could lead anywhere: refused, as anything but a regular file (a FIFO would block the read).
        var (kind, size) = SafeFile.Stat(path);
        if (kind == FileKind.Missing) throw fail($"external data file '{location}' does not exist");
        if (kind != FileKind.Regular || new FileInfo(path).LinkTarget is not null)
            throw fail($"external data file '{location}' is not a regular file");
        if (length >= 0 && length != bytes)
            throw fail($"external data '{location}' length {length} does not match the {bytes} bytes the dims need");
        if (offset < 0 || offset > size || size - offset < bytes)
            throw fail($"external data '{location}' is {size} bytes; offset {offset} + {bytes} bytes runs past its end");
        var data = new byte[bytes];
        SafeFile.ReadExactly(path, data, $"external data file '{location}'", fail, offset);
        return data;
    }

    private static long ParseLong(string s, string what, Func<string, Exception> fail) =>
        long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v : throw fail($"external data {what} '{s}' is not a non-negative integer");
}
