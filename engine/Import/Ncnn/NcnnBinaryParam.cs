using System.Buffers.Binary;
using System.Globalization;

namespace GpuMobileNet.Import.Ncnn;

/// <summary>Reads the binary .param.bin format (ncnn2mem's): little-endian int32s, the magic, layer and blob counts,
/// then per layer its type index, bottom and top counts, blob indices and its parameters as (id, 32-bit value) pairs,
/// an id of -23300 - k opening array k (count, items), -233 ending the list. Layers and blobs have no names there:
/// they are called "layer{i}" and "blob{i}".</summary>
internal static class NcnnBinaryParam
{
    /// <summary>The id that ends a layer's parameter list.</summary>
    public const int EndOfParams = -233;

    /// <summary>Whether <paramref name="bytes"/> start with the magic as a binary int32 (a text .param starts with digits).</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(bytes) == NcnnTextParam.Magic;

    /// <summary>Parses <paramref name="bytes"/>; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="ModelLoadException">Anything malformed or truncated, with the layer and the problem.</exception>
    public static NcnnNet Parse(byte[] bytes, string file)
    {
        int at = 0;
        int Next(string what)
        {
            if (at + 4 > bytes.Length) throw NcnnTextParam.Fail(file, $"ends at byte {bytes.Length} while reading {what}");
            int v = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            at += 4;
            return v;
        }
        int Count(string what, int min)
        {
            int n = Next(what);
            return n >= min && n <= NcnnNet.MaxCount ? n : throw NcnnTextParam.Fail(file, $"{what} is {n}, not in {min}..{NcnnNet.MaxCount}");
        }
        Next("the magic");
        int layerCount = Count("the layer count", 1), blobCount = Count("the blob count", 1);
        var layers = new List<NcnnLayer>(layerCount);
        for (int i = 0; i < layerCount; i++)
        {
            string where = $"layer {i}";
            int typeIndex = Next($"{where}'s type");
            if (typeIndex < 0 || typeIndex >= NcnnLayerTypes.ByIndex.Count)
                throw NcnnTextParam.Fail(file, $"{where}: layer type index {typeIndex} is not one of ncnn's built-in layers (custom layers are not supported)");
            string type = NcnnLayerTypes.ByIndex[typeIndex];
            int nIn = Count($"{where}'s input count", 0), nOut = Count($"{where}'s output count", 0);
            string Blob(string role)
            {
                int b = Next($"{where}'s {role} blob index");
                return b >= 0 && b < blobCount ? "blob" + b.ToString(CultureInfo.InvariantCulture)
                    : throw NcnnTextParam.Fail(file, $"{where}: {role} blob index {b} is outside 0..{blobCount - 1}");
            }
            var bottoms = Enumerable.Range(0, nIn).Select(_ => Blob("input")).ToArray();
            var tops = Enumerable.Range(0, nOut).Select(_ => Blob("output")).ToArray();
            var parameters = ReadParams(type, $"{where}: {type}", Next, file);
            layers.Add(new NcnnLayer(type, "layer" + i.ToString(CultureInfo.InvariantCulture), bottoms, tops, parameters, where));
        }
        if (at != bytes.Length) throw NcnnTextParam.Fail(file, $"{bytes.Length - at} bytes follow the last of the {layerCount} layers");
        return NcnnNet.Checked(layers, blobCount, m => NcnnTextParam.Fail(file, m));
    }

    private static NcnnParams ReadParams(string type, string who, Func<string, int> next, string file)
    {
        var values = new Dictionary<int, float[]>();
        var floats = new HashSet<int>();
        for (int key = next($"{who}'s parameters"); key != EndOfParams; key = next($"{who}'s parameters"))
        {
            bool array = key <= -23300;
            int id = array ? -key - 23300 : key;
            if (id is < 0 or >= NcnnLayerTypes.MaxParamId)
                throw NcnnTextParam.Fail(file, $"{who}: parameter id {key} is out of range (0..{NcnnLayerTypes.MaxParamId - 1}, or -23300 - id for an array)");
            if (values.ContainsKey(id)) throw NcnnTextParam.Fail(file, $"{who}: parameter {id} is given twice");
            int n = 1;
            if (array)
            {
                n = next($"{who}'s array {id} length");
                if (n < 0 || n > NcnnNet.MaxCount) throw NcnnTextParam.Fail(file, $"{who}: array parameter {id} has length {n}");
            }
            bool isFloat = NcnnLayerTypes.IsFloat(type, id);
            if (isFloat) floats.Add(id);
            var items = new float[n];
            for (int i = 0; i < n; i++)
            {
                int bits = next($"{who}'s parameter {id}");
                items[i] = isFloat ? BitConverter.Int32BitsToSingle(bits) : bits;
                if (!float.IsFinite(items[i])) throw NcnnTextParam.Fail(file, $"{who}: parameter {id} is not a finite number");
            }
            values[id] = items;
        }
        return new NcnnParams(values, floats);
    }
}
