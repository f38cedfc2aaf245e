using System.Buffers.Binary;
using System.Text.Json;

namespace GpuMobileNet.Import.Tfjs;

/// <summary>Reads the weightsManifest of a TF.js model: each group's shard files are concatenated in
/// manifest order and the group's weights follow each other in that byte stream.</summary>
internal static class TfjsWeights
{
    public static Dictionary<string, TfjsWeight> Read(JsonElement manifest, string modelPath)
    {
        if (manifest.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{modelPath}: 'weightsManifest' is missing or not an array");
        string dir = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var result = new Dictionary<string, TfjsWeight>(StringComparer.Ordinal);
        foreach (var group in manifest.EnumerateArray())
        {
            var specs = group.TryGetProperty("weights", out var w) && w.ValueKind == JsonValueKind.Array
                ? w.EnumerateArray().Select(s => Spec.Parse(s, modelPath)).ToList()
                : throw new ModelLoadException($"{modelPath}: a weightsManifest group has no 'weights' array");
            var (bytes, files) = ReadShards(group, dir, modelPath);
            long expected = specs.Sum(s => s.ByteLength);
            if (bytes.Length < expected)
                throw new ModelLoadException(
                    $"{files}: weights file is shorter than the manifest in {Path.GetFileName(modelPath)} says: expected {expected} bytes, got {bytes.Length}");
            int offset = 0;
            foreach (var spec in specs)
            {
                result[spec.Name] = new TfjsWeight(spec.Name, spec.Shape, spec.Decode(bytes.AsSpan(offset, (int)spec.ByteLength)));
                offset += (int)spec.ByteLength;
            }
        }
        return result;
    }

    private static (byte[] Bytes, string Files) ReadShards(JsonElement group, string dir, string modelPath)
    {
        if (!group.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Array)
            throw new ModelLoadException($"{modelPath}: a weightsManifest group has no 'paths' array");
        var names = paths.EnumerateArray().Select(p => p.GetString() ?? "").ToList();
        using var all = new MemoryStream();
        foreach (var name in names)
        {
            string file = Path.Combine(dir, name);
            if (!File.Exists(file))
                throw new ModelLoadException($"{file}: weights file listed in {Path.GetFileName(modelPath)} is missing");
            using var s = File.OpenRead(file);
            s.CopyTo(all);
        }
        return (all.ToArray(), string.Join(" + ", names.Select(n => Path.Combine(dir, n))));
    }

    private sealed record Spec(string Name, int[] Shape, string Dtype, string? QuantDtype, double Min, double Scale)
    {
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
        public long ByteLength => Count * (QuantDtype switch { "uint8" => 1, "uint16" or "float16" => 2, _ => 4 });

        public static Spec Parse(JsonElement s, string modelPath)
        {
            string name = s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            ModelLoadException Bad(string what) => new($"{modelPath}: weight '{name}': {what}");
            if (!s.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
                throw Bad("no shape");
            int[] shape = shapeEl.EnumerateArray().Select(e => e.TryGetInt32(out int v) && v >= 0 ? v : throw Bad($"bad shape {shapeEl.GetRawText()}")).ToArray();
            string dtype = s.TryGetProperty("dtype", out var d) ? d.GetString() ?? "" : "";
            if (dtype != "float32")
                throw Bad($"dtype '{dtype}' is not supported (float32 only)");
            if (!s.TryGetProperty("quantization", out var q) || q.ValueKind == JsonValueKind.Null)
                return new Spec(name, shape, dtype, null, 0, 0);
            string qd = q.TryGetProperty("dtype", out var qdt) ? qdt.GetString() ?? "" : "";
            if (qd == "float16")
                return new Spec(name, shape, dtype, qd, 0, 0);
            if (qd is not ("uint8" or "uint16"))
                throw Bad($"quantization dtype '{qd}' is not supported (uint8, uint16, float16)");
            if (!q.TryGetProperty("min", out var min) || !q.TryGetProperty("scale", out var scale))
                throw Bad("quantization without min and scale");
            return new Spec(name, shape, dtype, qd, min.GetDouble(), scale.GetDouble());
        }

        public float[] Decode(ReadOnlySpan<byte> b)
        {
            var v = new float[Count];
            // Same arithmetic as tfjs's io.decodeWeights: q * scale + min in double, stored as float32.
            switch (QuantDtype)
            {
                case "uint8":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)(b[i] * Scale + Min);
                    break;
                case "uint16":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) * Scale + Min);
                    break;
                case "float16":
                    for (int i = 0; i < v.Length; i++) v[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]);
                    break;
                default:
                    for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(4 * i)..]);
                    break;
            }
            return v;
        }
    }
}
